using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Mote.Core.Models;
using Mote.Core.Models.Faceplugin;

namespace Mote.Core.Tests.Models.Faceplugin;

/// <summary>faceplugin's recognition model in the pinned pack: fetched through npm, hash-checked, taken unchanged.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class FacepluginRecognitionRecipeTests(ModelPackFixture fixture)
{
    private const string MissingNpm = "/nonexistent/mote-test/npm";

    [Fact]
    public void EnsureAsync_DefaultRecipes_FacepluginEntryFromThePinnedPackageWithItsLicenceAndGaps()
    {
        var entry = fixture.Pack[FacepluginRecognitionRecipe.ModelId];
        var manifest = entry.Manifest;

        Assert.Equal("faceplugin-face-recognition-js@0.0.1", manifest.Source);
        Assert.Equal("shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw==", manifest.TarballSha512);
        Assert.Equal("model/fr_feature.onnx", manifest.PackagePath);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry.OnnxPath))), manifest.OnnxSha256);
        Assert.StartsWith("MIT, as declared by the package", manifest.License.Package, StringComparison.Ordinal);
        Assert.Contains("Training data not documented", manifest.License.Weights, StringComparison.Ordinal);
        var input = Assert.Single(manifest.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal([1L, 3, 112, 112], input.Shape);
        Assert.Contains("(pixel − 127) / 128", input.Normalization, StringComparison.Ordinal);

        // The manifest tells the truth about the graph.
        using var session = new InferenceSession(entry.OnnxPath);
        Assert.Equal("input", Assert.Single(session.InputMetadata).Key);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal(Assert.Single(manifest.Outputs).Name, output.Key);
        Assert.Equal(512, output.Value.Dimensions[^1]);
    }

    [Fact]
    public async Task ImportAsync_PinnedTarballAndATamperedCopy_OnlyThePinnedOneIsInstalled()
    {
        using var temp = new TempDirectory();
        var tarball = await new NpmPackageFetcher().PackAsync(PinnedPackages.FacepluginFaceRecognition, temp.Combine("npm"));
        var tampered = temp.Combine("tampered.tgz");
        File.Copy(tarball, tampered);
        await using (var stream = new FileStream(tampered, FileMode.Append))
        {
            stream.WriteByte(0);
        }

        var provisioner = new ModelPackProvisioner(new ModelPackOptions { CacheDir = temp.Combine("cache"), NpmExecutable = MissingNpm }, [new FacepluginRecognitionRecipe()]);

        var refused = await Assert.ThrowsAsync<PackageIntegrityException>(() => provisioner.ImportAsync(tampered));
        Assert.Contains("tampered.tgz", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("cache", FacepluginRecognitionRecipe.ModelId)));

        var imported = await provisioner.ImportAsync(tarball);
        Assert.Equal(fixture.Pack[FacepluginRecognitionRecipe.ModelId].Manifest.OnnxSha256, imported[FacepluginRecognitionRecipe.ModelId].Manifest.OnnxSha256);
    }
}
