namespace Mote.Gallery.Hosting;

/// <summary>Where the Gallery keeps its state. Bound from the <c>Mote:Gallery</c> configuration section.</summary>
public sealed class GalleryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Mote:Gallery";

    /// <summary>The SQLite file. Relative paths resolve against the content root. Default <c>data/mote.db</c>. Unused on PostgreSQL.</summary>
    public string DatabasePath { get; set; } = "data/mote.db";

    /// <summary>Which database holds the Gallery: <see cref="GalleryProvider.Sqlite"/> (default, embedded) or <see cref="GalleryProvider.PostgreSql"/>.</summary>
    public GalleryProvider Provider { get; set; } = GalleryProvider.Sqlite;

    /// <summary>
    /// The PostgreSQL connection string (Npgsql keywords: <c>Host=…;Port=…;Database=…;Username=…</c>), required when
    /// <see cref="Provider"/> is PostgreSql. Keep the password out of it (and out of the repository): when it names none, the
    /// password is read from <c>$MOTE_POSTGRES_PASSWORD</c>, else from <c>postgres.password</c> in the secrets folder,
    /// else left to Npgsql (<c>$PGPASSWORD</c>, <c>~/.pgpass</c>). See docs/deployment.md.
    /// </summary>
    public string? ConnectionString { get; set; }
}

/// <summary>The database engines the Gallery runs on.</summary>
public enum GalleryProvider
{
    /// <summary>One SQLite file on this machine: zero setup, one portal process writing (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database: several portal instances on one shared gallery.</summary>
    PostgreSql,
}

/// <summary>
/// Where secrets live: never in the repository or the database. Bound from <c>Mote:Secrets</c>.
/// </summary>
public sealed class SecretsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Mote:Secrets";

    /// <summary>
    /// Directory for keys (ASP.NET data-protection keys now; template and audit keys later), created
    /// with owner-only permissions. Default: <c>$MOTE_SECRETS_DIR</c>, else <c>~/.config/mote/secrets</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>The secrets folder as an absolute path: <see cref="Directory"/>, else <c>$MOTE_SECRETS_DIR</c>, else <c>~/.config/mote/secrets</c>. Creates nothing.</summary>
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
