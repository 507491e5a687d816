namespace Mote.Gallery.Hosting;

/// <summary>Where the Gallery keeps its state. Bound from the <c>Mote:Gallery</c> configuration section.</summary>
public sealed class GalleryOptions
{
    public const string Section = "Mote:Gallery";

    /// <summary>The SQLite file. Relative paths resolve against the content root. Default <c>data/mote.db</c>.</summary>
    public string DatabasePath { get; set; } = "data/mote.db";
}

/// <summary>
/// Where secrets live: never in the repository or the database. Bound from <c>Mote:Secrets</c>.
/// </summary>
public sealed class SecretsOptions
{
    public const string Section = "Mote:Secrets";

    /// <summary>
    /// Directory for keys (ASP.NET data-protection keys now; template and audit keys later), created
    /// with owner-only permissions. Default: <c>$MOTE_SECRETS_DIR</c>, else <c>~/.config/mote/secrets</c>.
    /// </summary>
    public string? Directory { get; set; }

    public string ResolveDirectory()
    {
        var dir = Directory;
        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR");
        }
        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "mote", "secrets");
        }
        return Path.GetFullPath(dir);
    }
}
