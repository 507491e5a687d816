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
    public void ImpostorDataset_Open_ReadsUtkLabels_CountsMissingFiles()
    {
        var images = Directory.CreateDirectory(Path.Combine(root, "images")).FullName;
        File.WriteAllBytes(Path.Combine(images, "a.jpg"), [1]);
        File.WriteAllBytes(Path.Combine(images, "b.jpg"), [1]);
        File.WriteAllLines(Path.Combine(root, "labels.csv"), ["file,age,gender,ethnicity", "a.jpg,10,female,asian", "b.jpg,64,male,", "gone.jpg,30,male,white"]);

        var data = ImpostorDataset.Open(root);

        Assert.Equal(1, data.MissingFiles);
        Assert.Equal([new LabelledPhoto(Path.Combine(images, "a.jpg"), "female", "asian", "0-17"), new LabelledPhoto(Path.Combine(images, "b.jpg"), "male", null, "60+")], data.Photos);
    }

    [Fact]
    public void ImpostorDataset_Open_RefusesIdentityLabels()
    {
        Make("Anna", 2);
        File.WriteAllLines(Path.Combine(root, "labels.csv"), ["identity,images,gender,ethnicity", "Anna,2,female,"]);

        var e = Assert.Throws<ArgumentException>(() => ImpostorDataset.Open(root));

        Assert.Contains("labels identities", e.Message, StringComparison.Ordinal);
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
