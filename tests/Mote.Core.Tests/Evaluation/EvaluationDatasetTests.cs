using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class EvaluationDatasetTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mote-evalds-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Open_KeepsIdentitiesWithTwoPhotos_SortedPhotos_WithLabels()
    {
        Make("Anna", 3);
        Make("Bert", 1);
        Make("Carl", 2);
        File.WriteAllLines(Path.Combine(root, "labels.csv"), ["identity,images,gender,ethnicity", "Anna,3,female,african", "Bert,1,male,", "Carl,2,male,caucasian;latino"]);

        var data = EvaluationDataset.Open(root);

        Assert.Equal(["Anna", "Carl"], data.Identities.Select(i => i.Name));
        Assert.Equal(3, data.IdentitiesInFolder);
        Assert.Equal(5, data.PhotoCount);
        Assert.EndsWith("Anna_0001.jpg", data.Identities[0].Photos[0], StringComparison.Ordinal);
        Assert.Equal("female", data.Identities[0].Gender);
        Assert.Equal("black", data.Identities[0].Ethnicity);
        // Mixed ethnicity labels count as unknown.
        Assert.Null(data.Identities[1].Ethnicity);
        Assert.Null(data.IdentityLimit);
    }

    [Fact]
    public void Open_WithLimit_SeededSubset()
    {
        foreach (var name in new[] { "A", "B", "C", "D", "E", "F" })
        {
            Make(name, 2);
        }

        var first = EvaluationDataset.Open(root, 3, seed: 4);
        var again = EvaluationDataset.Open(root, 3, seed: 4);

        Assert.Equal(3, first.Identities.Count);
        Assert.Equal(first.Identities.Select(i => i.Name), again.Identities.Select(i => i.Name));
        Assert.Equal(first.Identities.Select(i => i.Name).Order(StringComparer.Ordinal), first.Identities.Select(i => i.Name));
        Assert.Equal(3, first.IdentityLimit);
    }

    [Fact]
    public void Open_NoImagesFolder_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => EvaluationDataset.Open(Path.Combine(root, "nothing")));
    }

    private void Make(string identity, int photos)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "images", identity)).FullName;
        for (var i = photos; i >= 1; i--)
        {
            File.WriteAllBytes(Path.Combine(folder, $"{identity}_{i:0000}.jpg"), [0xFF, 0xD8, (byte)i]);
        }
    }
}
