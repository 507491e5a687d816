using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;

namespace Mote.Core.Tests.Models;

[Collection(ModelPackCollection.Name)]
public sealed class ModelPackProvisionerTests(ModelPackFixture fixture)
{
    private const string ModelId = FaceRecognitionRecipe.ModelId;

    [Fact]
    public void EnsureAsync_DefaultRecipes_ManifestDescribesTheOnnxFile()
    {
        var entry = fixture.Pack[ModelId];
        var manifest = entry.Manifest;

        Assert.Equal(ModelId, manifest.Id);
        Assert.Equal("@vladmandic/face-api@1.7.15", manifest.Source);
        Assert.Equal(PinnedPackages.FaceApi.Sha512, manifest.TarballSha512);
        Assert.Equal("model/face_recognition_model-weights_manifest.json", manifest.PackagePath);
        Assert.Equal(Sha256(entry.OnnxPath), manifest.OnnxSha256);
        Assert.Contains("MIT", manifest.License.Package, StringComparison.Ordinal);
        Assert.Contains("dlib", manifest.License.Weights, StringComparison.Ordinal);
        var input = Assert.Single(manifest.Inputs);
        Assert.Equal([-1L, 150, 150, 3], input.Shape);
        Assert.Equal("NHWC", input.Layout);
        var output = Assert.Single(manifest.Outputs);
        Assert.Equal([-1L, 128], output.Shape);
        Assert.Contains("NOT L2-normalised", output.Meaning, StringComparison.Ordinal);

        // The manifest must tell the truth about the graph itself.
        using var session = new InferenceSession(entry.OnnxPath);
        var graphInput = Assert.Single(session.InputMetadata);
        Assert.Equal(input.Name, graphInput.Key);
        Assert.Equal(new[] { -1, 150, 150, 3 }, graphInput.Value.Dimensions);
        var graphOutput = Assert.Single(session.OutputMetadata);
        Assert.Equal(output.Name, graphOutput.Key);
        Assert.Equal(new[] { -1, 128 }, graphOutput.Value.Dimensions);
    }

    [Fact]
    public async Task EnsureAsync_TwoConcurrentProvisionersOnEmptyCache_BothEndWithTheSameValidPack()
    {
        using var cache = new TempDirectory();
        var progressA = new RecordingProgress();
        var progressB = new RecordingProgress();
        var a = FaceApiProvisioner(new ModelPackOptions { CacheDir = cache.Path });
        var b = FaceApiProvisioner(new ModelPackOptions { CacheDir = cache.Path });

        var packs = await Task.WhenAll(
            Task.Run(() => a.EnsureAsync(progressA)),
            Task.Run(() => b.EnsureAsync(progressB)));

        // Both really raced: each found the cache empty and built its own model.
        Assert.Contains(progressA.Stages, s => s.StartsWith("converting", StringComparison.Ordinal));
        Assert.Contains(progressB.Stages, s => s.StartsWith("converting", StringComparison.Ordinal));
        foreach (var id in AllModelIds)
        {
            Assert.Equal(packs[0][id].OnnxPath, packs[1][id].OnnxPath);
            Assert.Equal(packs[0][id].Manifest.OnnxSha256, packs[1][id].Manifest.OnnxSha256);
            Assert.Equal(packs[0][id].Manifest.OnnxSha256, Sha256(packs[0][id].OnnxPath));
        }
        // The loser's temp directory, the work directories and the tarballs are all gone.
        Assert.Equal(AllModelIds, Directory.GetFileSystemEntries(cache.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { ModelManifest.FileName, ModelPackProvisioner.OnnxFileName }.Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(cache.Combine(ModelId)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EnsureAsync_CorruptedCachedOnnx_IsRebuilt()
    {
        using var cache = new TempDirectory();
        var provisioner = FaceApiProvisioner(new ModelPackOptions { CacheDir = cache.Path });
        var built = (await provisioner.ImportAsync(await fixture.GetFaceApiTarballAsync()))[ModelId];
        var original = await File.ReadAllBytesAsync(built.OnnxPath);
        var corrupted = original.ToArray();
        corrupted[corrupted.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(built.OnnxPath, corrupted);
        var progress = new RecordingProgress();

        var rebuilt = (await provisioner.EnsureAsync(progress))[ModelId];

        Assert.Contains($"converting {ModelId}", progress.Stages);
        Assert.Equal(original, await File.ReadAllBytesAsync(rebuilt.OnnxPath));
        Assert.Equal(rebuilt.Manifest.OnnxSha256, Sha256(rebuilt.OnnxPath));
        // Only the corrupted model was rebuilt; the stale copy is gone.
        Assert.DoesNotContain($"converting {FaceLandmark68Recipe.ModelId}", progress.Stages);
        Assert.Equal(AllModelIds, Directory.GetFileSystemEntries(cache.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EnsureAsync_ValidCache_ReusesItWithoutNpm()
    {
        var provisioner = FaceApiProvisioner(new ModelPackOptions { CacheDir = fixture.Options.CacheDir, NpmExecutable = MissingNpm });
        var progress = new RecordingProgress();

        var pack = await provisioner.EnsureAsync(progress);

        Assert.Equal(fixture.Pack[ModelId].Manifest.ToJson(), pack[ModelId].Manifest.ToJson());
        Assert.DoesNotContain(progress.Stages, s => s.StartsWith("fetching", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureAsync_NpmMissing_ThrowsNamingNpmAndTheOfflineImport()
    {
        using var cache = new TempDirectory();
        var provisioner = FaceApiProvisioner(new ModelPackOptions { CacheDir = cache.Path, NpmExecutable = MissingNpm });

        var e = await Assert.ThrowsAsync<ModelProvisioningException>(() => provisioner.EnsureAsync());

        Assert.Contains(MissingNpm, e.Message, StringComparison.Ordinal);
        Assert.Contains("@vladmandic/face-api@1.7.15", e.Message, StringComparison.Ordinal);
        Assert.Contains("ImportAsync", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // The stand-in npm is a shell script.
    public async Task EnsureAsync_NpmFails_ThrowsWithItsExitCodeAndStderr()
    {
        // A real child process that fails the way npm does (exit 1, diagnostics on stderr), without asking
        // the registry for something that does not exist.
        using var temp = new TempDirectory();
        var npm = temp.Combine("npm");
        File.WriteAllText(npm, "#!/bin/sh\necho \"npm error code E404 (simulated for $2)\" >&2\nexit 1\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var provisioner = FaceApiProvisioner(new ModelPackOptions { CacheDir = temp.Combine("cache"), NpmExecutable = npm });

        var e = await Assert.ThrowsAsync<ModelProvisioningException>(() => provisioner.EnsureAsync());

        Assert.Contains("exit code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("npm error code E404 (simulated for @vladmandic/face-api@1.7.15)", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Combine("cache")));
    }

    [Fact]
    public async Task EnsureAsync_LeftoversOfCrashedRuns_OldOnesDeletedRecentOnesKept()
    {
        using var cache = new TempDirectory();
        foreach (var id in AllModelIds)
        {
            CopyDirectory(Path.GetDirectoryName(fixture.Pack[id].OnnxPath)!, cache.Combine(id));
        }
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        string[] leftovers = [".work-old", $".{ModelId}.tmp-old", $".{ModelId}.stale-old"];
        foreach (var name in leftovers)
        {
            Directory.CreateDirectory(cache.Combine(name));
            Directory.SetLastWriteTimeUtc(cache.Combine(name), now.UtcDateTime.AddHours(-25));
        }
        Directory.CreateDirectory(cache.Combine(".work-live"));
        Directory.SetLastWriteTimeUtc(cache.Combine(".work-live"), now.UtcDateTime.AddMinutes(-5));
        Directory.CreateDirectory(cache.Combine(".not-ours"));
        Directory.SetLastWriteTimeUtc(cache.Combine(".not-ours"), now.UtcDateTime.AddDays(-30));
        var provisioner = new ModelPackProvisioner(
            new ModelPackOptions { CacheDir = cache.Path, NpmExecutable = MissingNpm }, FaceApiRecipes(), new FixedTime(now));

        await provisioner.EnsureAsync();

        Assert.All(leftovers, name => Assert.False(Directory.Exists(cache.Combine(name)), name));
        Assert.True(Directory.Exists(cache.Combine(".work-live")));
        Assert.True(Directory.Exists(cache.Combine(".not-ours")));
    }

    [Fact]
    public async Task ImportAsync_PinnedFaceApiTarball_BuildsPackThatEnsureAcceptsWithoutNpm()
    {
        using var cache = new TempDirectory();
        var options = new ModelPackOptions { CacheDir = cache.Path, NpmExecutable = MissingNpm };
        var provisioner = FaceApiProvisioner(options);
        var progress = new RecordingProgress();

        var imported = await provisioner.ImportAsync(await fixture.GetFaceApiTarballAsync(), progress);
        var ensured = await provisioner.EnsureAsync();

        Assert.Equal(fixture.Pack[ModelId].Manifest.OnnxSha256, imported[ModelId].Manifest.OnnxSha256);
        Assert.Equal(imported[ModelId].Manifest.ToJson(), ensured[ModelId].Manifest.ToJson());
        Assert.Equal(
            [
                "verifying @vladmandic/face-api@1.7.15", "extracting @vladmandic/face-api@1.7.15",
                $"converting {ModelId}", $"converting {FaceLandmark68Recipe.ModelId}", "model pack ready",
            ],
            progress.Stages);
        Assert.Equal(1.0, progress.Fractions[^1]);
        Assert.Equal(progress.Fractions.Order(), progress.Fractions);
    }

    [Fact]
    public async Task ImportAsync_TarballOfNoPinnedPackage_RefusedWithIntegrityError()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().File("package/model/face_recognition_model.bin", "not weights").WriteTo(temp.Combine("fake-face-api.tgz"));
        var provisioner = FaceApiProvisioner(new ModelPackOptions { CacheDir = temp.Combine("cache") });

        var e = await Assert.ThrowsAsync<PackageIntegrityException>(() => provisioner.ImportAsync(tarball));

        Assert.Contains("fake-face-api.tgz", e.Message, StringComparison.Ordinal);
        Assert.Contains("@vladmandic/face-api@1.7.15", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("cache", ModelId)));
    }

    [Fact]
    public async Task ImportAsync_PinnedTarballWithTraversalEntry_RefusedAndNothingPublished()
    {
        // Even a tarball whose hash is pinned is not trusted: here a recipe pins a hostile one.
        using var temp = new TempDirectory();
        var tarball = new TestTarball()
            .File("package/package.json", "{}")
            .File("package/../../../escaped.txt", "evil")
            .WriteTo(temp.Combine("hostile.tgz"));
        var recipe = new NeverBuiltRecipe(new PinnedPackage("hostile", "1.0.0", PackageArchive.ComputeSha512(tarball)));
        var cacheDir = temp.Combine("a", "b", "cache");
        var provisioner = new ModelPackProvisioner(new ModelPackOptions { CacheDir = cacheDir }, [recipe]);

        var e = await Assert.ThrowsAsync<UnsafeArchiveException>(() => provisioner.ImportAsync(tarball));

        Assert.Contains("package/../../../escaped.txt", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cacheDir));
        Assert.False(File.Exists(temp.Combine("escaped.txt")));
        Assert.False(File.Exists(temp.Combine("a", "escaped.txt")));
    }

    [Fact]
    public void Constructor_DuplicateRecipeIds_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new ModelPackProvisioner(new ModelPackOptions { CacheDir = Path.GetTempPath() }, [new FaceRecognitionRecipe(), new FaceRecognitionRecipe()]));

        Assert.Contains(ModelId, e.Message, StringComparison.Ordinal);
    }

    private const string MissingNpm = "/nonexistent/mote-test/npm";

    private static readonly string[] AllModelIds = [FaceLandmark68Recipe.ModelId, FaceRecognitionRecipe.ModelId];

    // The provisioner's mechanics (races, corruption, leftovers, import) are tested on the small face-api
    // package (24 MB unpacked); the whole default pack, human-models included, is provisioned once by the fixture.
    private static IModelRecipe[] FaceApiRecipes() => [new FaceRecognitionRecipe(), new FaceLandmark68Recipe()];

    private static ModelPackProvisioner FaceApiProvisioner(ModelPackOptions options) => new(options, FaceApiRecipes());

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Records progress synchronously (<see cref="Progress{T}"/> would post it asynchronously).</summary>
    private sealed class RecordingProgress : IProgress<ProvisionProgress>
    {
        private readonly List<ProvisionProgress> _reports = [];

        public List<string> Stages
        {
            get
            {
                lock (_reports)
                {
                    return _reports.Select(r => r.Stage).ToList();
                }
            }
        }

        public List<double> Fractions
        {
            get
            {
                lock (_reports)
                {
                    return _reports.Select(r => r.Fraction).ToList();
                }
            }
        }

        public void Report(ProvisionProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class NeverBuiltRecipe(PinnedPackage source) : IModelRecipe
    {
        public string Id => "never_built";

        public int Version => 1;

        public PinnedPackage Source => source;

        public ConvertedModel Build(string packageDir) => throw new InvalidOperationException("An unsafe package must never reach a recipe.");
    }
}
