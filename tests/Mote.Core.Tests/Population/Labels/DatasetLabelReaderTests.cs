using Mote.Core.Population;
using Mote.Core.Population.Labels;

namespace Mote.Core.Tests.Population.Labels;

public sealed class DatasetLabelReaderTests
{
    private static IReadOnlyList<LabelRecord> Read(string text, string dataset = "ds") =>
        DatasetLabelReader.Read(new StringReader(text), "labels.csv", dataset, "/root/images");

    [Fact]
    public void Read_LfwLayout_OneRecordPerImageWithMappedLabels()
    {
        var records = Read("identity,images,gender,ethnicity\r\nAJ_Cook,1,female,\r\nAaron_Eckhart,2,male,caucasian\nAlicia_Keys,1,female,african;caucasian\nNo_Gender,1,,eastasian\n");
        Assert.Equal(5, records.Count);
        Assert.Equal(new LabelRecord("ds", Path.Combine("/root/images", "AJ_Cook", "AJ_Cook_0001.jpg"), "AJ_Cook", Gender.Female, null, null), records[0]);
        Assert.Equal(Path.Combine("/root/images", "Aaron_Eckhart", "Aaron_Eckhart_0002.jpg"), records[2].ImagePath);
        Assert.All(records.Skip(1).Take(2), r => Assert.Equal((Gender.Male, Ethnicity.White), (r.Gender!.Value, r.Ethnicity!.Value)));
        Assert.Null(records[3].Ethnicity); // mixed → unknown
        Assert.Null(records[4].Gender);
        Assert.Equal(Ethnicity.Asian, records[4].Ethnicity);
        Assert.All(records, r => Assert.Null(r.AgeBand));
    }

    [Fact]
    public void Read_UtkLayout_RecordsWithAgeBandAndNoIdentity()
    {
        var records = Read("file,age,gender,ethnicity\n100_1_0_x.jpg.chip.jpg,100,female,white\n10_0_0_y.jpg.chip.jpg,10,male,black\n30_0_3_z.jpg,30,male,indian\n");
        Assert.Equal(3, records.Count);
        Assert.Equal(new LabelRecord("ds", Path.Combine("/root/images", "100_1_0_x.jpg.chip.jpg"), null, Gender.Female, Ethnicity.White, AgeBand.Senior60Plus), records[0]);
        Assert.Equal((Gender.Male, Ethnicity.Black, AgeBand.Under18), (records[1].Gender!.Value, records[1].Ethnicity!.Value, records[1].AgeBand!.Value));
        Assert.Equal(AgeBand.Adult18To59, records[2].AgeBand);
    }

    [Fact]
    public void Read_QuotedFields_HandlesCommasQuotesAndBom()
    {
        var records = Read("\uFEFFidentity,images,gender,ethnicity\n\"Smith, \"\"Jr\"\"\",1,\"male\",\"african;caucasian\"\n");
        var r = Assert.Single(records);
        Assert.Equal("Smith, \"Jr\"", r.Identity);
        Assert.Equal(Gender.Male, r.Gender);
        Assert.Null(r.Ethnicity);
    }

    [Theory]
    [InlineData("name,age\nx,1\n", 1, "unknown header")]
    [InlineData("file,age,gender,ethnicity\nx.jpg,30,male,martian\n", 2, "ethnicity 'martian'")]
    [InlineData("file,age,gender,ethnicity\nx.jpg,thirty,male,white\n", 2, "age 'thirty'")]
    [InlineData("file,age,gender,ethnicity\nx.jpg,30,male\n", 2, "3 columns, expected 4")]
    [InlineData("file,age,gender,ethnicity\nx.jpg,30,robot,white\n", 2, "gender 'robot'")]
    [InlineData("identity,images,gender,ethnicity\nA,0,male,\n", 2, "image count '0'")]
    [InlineData("identity,images,gender,ethnicity\n../etc,1,male,\n", 2, "not a plain folder name")]
    [InlineData("identity,images,gender,ethnicity\nA,1,male,klingon\n", 2, "outside the LFW vocabulary")]
    [InlineData("identity,images,gender,ethnicity\nA,1,male,\"white\n", 2, "not closed")]
    [InlineData("identity,images,gender,ethnicity\nA\"b,1,male,\n", 2, "double quote inside an unquoted field")]
    [InlineData("", 1, "empty")]
    public void Read_MalformedFile_ThrowsNamingFileAndLine(string text, int line, string reason)
    {
        var e = Assert.Throws<LabelFormatException>(() => Read(text));
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"labels.csv, line {line}:", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFolder_MissingLabels_ThrowsFileNotFoundNamingFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mote-no-labels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => DatasetLabelReader.ReadFolder(folder));
            Assert.Contains(folder, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    // Figures from /work/shared/datasets/README.md: 4,036 identities, 9,437 images, 1,196 with ≥ 2 images.
    [DatasetFact("lfw-dev")]
    public void ReadFolder_RealLfwDev_MatchesDocumentedCountsAndFiles()
    {
        var records = DatasetLabelReader.ReadFolder(TestDatasets.Find("lfw-dev")!);
        Assert.Equal(9437, records.Count);
        Assert.Equal(4036, records.Select(r => r.Identity).Distinct().Count());
        Assert.Equal(1196, records.GroupBy(r => r.Identity).Count(g => g.Count() >= 2));
        Assert.All(records, r => Assert.Equal("lfw-dev", r.Dataset));
        // Every derived path names a real file (checked on a spread of records to keep the test fast).
        foreach (var r in records.Where((_, i) => i % 97 == 0))
        {
            Assert.True(File.Exists(r.ImagePath), $"missing {r.ImagePath}");
        }
        Assert.True(records.Count(r => r.Ethnicity is not null) > 0);
    }

    // Figures from the README: white 5,265, asian 1,553, indian 1,452, other 1,103, black 405; female 5,406,
    // male 4,372; 3,925 under 18.
    [DatasetFact("utkface-part1")]
    public void ReadFolder_RealUtkFace_MatchesDocumentedCounts()
    {
        var records = DatasetLabelReader.ReadFolder(TestDatasets.Find("utkface-part1")!);
        Assert.Equal(9778, records.Count);
        Assert.All(records, r => Assert.Null(r.Identity));
        Assert.Equal(5265, records.Count(r => r.Ethnicity == Ethnicity.White));
        Assert.Equal(1553, records.Count(r => r.Ethnicity == Ethnicity.Asian));
        Assert.Equal(1452, records.Count(r => r.Ethnicity == Ethnicity.Indian));
        Assert.Equal(1103, records.Count(r => r.Ethnicity == Ethnicity.Other));
        Assert.Equal(405, records.Count(r => r.Ethnicity == Ethnicity.Black));
        Assert.Equal(5406, records.Count(r => r.Gender == Gender.Female));
        Assert.Equal(3925, records.Count(r => r.AgeBand == AgeBand.Under18));
        foreach (var r in records.Where((_, i) => i % 97 == 0))
        {
            Assert.True(File.Exists(r.ImagePath), $"missing {r.ImagePath}");
        }
    }
}
