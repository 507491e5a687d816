using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Engine;

namespace Mote.Gallery.Tests.People;

/// <summary>The population pack that ships in the repository.</summary>
public sealed class DefaultPopulationPackTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    [Fact]
    public void DefaultPack_HoldsOnlyDistributionParameters_NoVectorOfAnyPerson()
    {
        var pack = gallery.Db.Services.GetRequiredService<PopulationPackLocator>().Load();

        Assert.False(pack.ContainsRawVectors);
        // Every density is a shrinkage Gaussian (mixture) whose components each pool at least 20 points, so no
        // stored mean is one person's vector.
        Assert.All(pack.Negatives.Values.Concat(pack.Variation.Values), d =>
        {
            Assert.False(d.StoresRawVectors);
            var sizes = d.Parameters.Where(p => p.Key.StartsWith("effectiveSize.", StringComparison.Ordinal))
                .Select(p => double.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.NotEmpty(sizes);
            Assert.All(sizes, s => Assert.True(s >= 20, $"a component pools only {s} points"));
        });
        Assert.True(pack.Negatives.Count >= 4, $"only {pack.Negatives.Count} negative groups");
        Assert.True(pack.Variation.Count >= 2, $"only {pack.Variation.Count} variation groups");
    }

    [Fact]
    public void DefaultPack_BelongsToTheProvisionedBackbone()
    {
        var pack = gallery.Db.Services.GetRequiredService<PopulationPackLocator>().Load();

        // Fails when the backbone ONNX changes (a new face-api version, a changed builder): rebuild the pack then.
        Assert.Equal(gallery.Analyzer.Backbone.Id, pack.BackboneId);
        Assert.Equal(gallery.Analyzer.Backbone.Sha256Hex, pack.BackboneManifestHash, ignoreCase: true);
        Assert.Contains("mote population build", pack.Provenance.CommandLine, StringComparison.Ordinal);
    }
}
