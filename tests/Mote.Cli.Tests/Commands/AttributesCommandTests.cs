using Mote.Core.Tests;

namespace Mote.Cli.Tests.Commands;

/// <summary>`mote attributes calibrate` through the real command tree (the arithmetic is tested in Mote.Core.Tests' AttributeConfidenceTests).</summary>
public sealed class AttributesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-attributes-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [DatasetFact("utkface-part1")]
    public async Task Calibrate_FewUtkfaceChips_PrintsAccuracyByConfidencePerAttributeAndTheCutoffsInUse()
    {
        var (code, output, error) = await MoteCli.RunAsync("", "attributes", "calibrate", "--dataset", TestDatasets.Find("utkface-part1")!, "--count", "40", "--seed", "3", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("40 images (seed 3); largest face found by the product's detector (blazeface)", output, StringComparison.Ordinal);
        foreach (var attribute in new[] { "Gender", "Ethnicity", "AgeBand" })
        {
            Assert.Contains($"{attribute}: n ", output, StringComparison.Ordinal);
        }
        Assert.Contains("conf. >= c", output, StringComparison.Ordinal);
        Assert.Contains("cutoffs in use (AttributeConfidence.Measured): gender 0.999, ethnicity 0.998, age band 0.999", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibrate_MissingLabels_ExitsOneWithMessage()
    {
        var (code, _, error) = await MoteCli.RunAsync("", "attributes", "calibrate", "--dataset", Path.Combine(_folder, "nothing"), "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("labels.csv", error, StringComparison.Ordinal);
    }
}
