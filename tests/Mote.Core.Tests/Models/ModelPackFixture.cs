using Mote.Core.Models;
using Mote.Core.Models.Catalog;

namespace Mote.Core.Tests.Models;

/// <summary>Tests that need the provisioned model pack share one <see cref="ModelPackFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ModelPackCollection : ICollectionFixture<ModelPackFixture>
{
    public const string Name = "ModelPack";
}

/// <summary>
/// Provisions the default model pack once per test run through the real <see cref="ModelPackProvisioner"/>
/// (npm, hash check, extraction, conversion). With <c>MOTE_MODEL_CACHE</c> set the pack lives there and later
/// runs reuse it; otherwise it goes to a temp directory deleted afterwards. Also offers the face-api tarball
/// and its extracted package (fetched once, lazily) for tests that need the package itself.
/// </summary>
public sealed class ModelPackFixture : IAsyncLifetime
{
    private readonly string _tempRoot = Path.Combine(Path.GetTempPath(), $"mote-models-test-{Guid.NewGuid():N}");
    private Task<string>? _faceApiTarball;
    private Task<string>? _faceApiPackageDir;

    public ModelPack Pack { get; private set; } = null!;

    /// <summary>The options the pack was provisioned with.</summary>
    public ModelPackOptions Options { get; private set; } = null!;

    /// <summary>A scratch directory owned by the fixture, deleted at the end of the run.</summary>
    public string TempRoot => _tempRoot;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_tempRoot);
        var fromEnvironment = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable);
        Options = new ModelPackOptions
        {
            CacheDir = string.IsNullOrWhiteSpace(fromEnvironment) ? Path.Combine(_tempRoot, "cache") : fromEnvironment,
        };
        Pack = await ModelCatalog.CreateProvisioner(Options).EnsureAsync();
    }

    /// <summary>The verified face-api tarball, fetched with npm into the fixture's temp directory.</summary>
    public Task<string> GetFaceApiTarballAsync() =>
        _faceApiTarball ??= FetchVerifiedAsync(PinnedPackages.FaceApi);

    /// <summary>The face-api package extracted from <see cref="GetFaceApiTarballAsync"/> (holds <c>dist/</c>, <c>model/</c>, <c>demo/</c>).</summary>
    public Task<string> GetFaceApiPackageDirAsync() =>
        _faceApiPackageDir ??= ExtractAsync();

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_tempRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
        return Task.CompletedTask;
    }

    private async Task<string> FetchVerifiedAsync(PinnedPackage package)
    {
        var tarball = await new NpmPackageFetcher().PackAsync(package, Path.Combine(_tempRoot, "tarballs"));
        PackageArchive.VerifyIntegrity(tarball, package);
        return tarball;
    }

    private static Task<string> ExtractAsync() => PinnedPackageCache.GetAsync(PinnedPackages.FaceApi);
}
