using Mote.Core.Population;

namespace Mote.Core.Tests.Population;

public sealed class DemographicGroupTests
{
    [Fact]
    public void Parse_EveryCombination_RoundTripsThroughId()
    {
        var genders = new Gender?[] { null, Gender.Female, Gender.Male };
        var ethnicities = new Ethnicity?[] { null }.Concat(Enum.GetValues<Ethnicity>().Cast<Ethnicity?>()).ToArray();
        var bands = new AgeBand?[] { null }.Concat(Enum.GetValues<AgeBand>().Cast<AgeBand?>()).ToArray();
        var ids = new HashSet<string>();
        foreach (var g in genders)
        {
            foreach (var e in ethnicities)
            {
                foreach (var a in bands)
                {
                    var group = new DemographicGroup(g, e, a);
                    var parsed = DemographicGroup.Parse(group.Id);
                    Assert.Equal(group, parsed);
                    Assert.True(ids.Add(group.Id), $"id {group.Id} is not unique");
                }
            }
        }
        Assert.Equal(3 * 6 * 4, ids.Count);
    }

    [Theory]
    [InlineData("female", Gender.Female, null, null)]
    [InlineData("male|white|18-59", Gender.Male, Ethnicity.White, AgeBand.Adult18To59)]
    [InlineData("asian|60+", null, Ethnicity.Asian, AgeBand.Senior60Plus)]
    [InlineData("0-17", null, null, AgeBand.Under18)]
    public void Parse_KnownId_GivesParts(string id, Gender? gender, Ethnicity? ethnicity, AgeBand? band)
    {
        var group = DemographicGroup.Parse(id);
        Assert.Equal(new DemographicGroup(gender, ethnicity, band), group);
        Assert.Equal(id, group.ToString());
    }

    [Fact]
    public void Parse_All_GivesGroupWithoutParts()
    {
        Assert.Equal(DemographicGroup.All, DemographicGroup.Parse("all"));
        Assert.Equal(GroupDimensions.None, DemographicGroup.All.Dimensions);
    }

    [Theory]
    [InlineData("martian", "'martian' is not a known")]
    [InlineData("male|martian", "'martian' is not a known")]
    [InlineData("white|male", "out of order")]
    [InlineData("male|male", "repeated")]
    [InlineData("", "empty")]
    [InlineData("Male", "'Male' is not a known")]
    [InlineData("male|", "'' is not a known")]
    public void Parse_InvalidId_ThrowsUnknownGroupNamingIt(string id, string expectedReason)
    {
        var e = Assert.Throws<UnknownGroupException>(() => DemographicGroup.Parse(id));
        Assert.Equal(id, e.GroupId);
        Assert.Contains($"'{id}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expectedReason, e.Message, StringComparison.Ordinal);
        Assert.False(DemographicGroup.TryParse(id, out _));
    }

    [Fact]
    public void Equality_SameParts_EqualAndSameHash()
    {
        var a = new DemographicGroup(Gender.Female, Ethnicity.Black, null);
        var b = DemographicGroup.Parse("female|black");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DemographicGroup.Parse("female"));
    }

    [Fact]
    public void Of_RecordMissingNeededLabel_GivesNull()
    {
        var record = new LabelRecord("d", "x.jpg", "p", Gender.Male, null, null);
        Assert.Null(DemographicGroup.Of(record, GroupDimensions.Gender | GroupDimensions.Ethnicity));
        Assert.Equal(DemographicGroup.Parse("male"), DemographicGroup.Of(record, GroupDimensions.Gender));
        Assert.Equal(DemographicGroup.All, DemographicGroup.Of(record, GroupDimensions.None));
    }

    [Fact]
    public void Of_FullyLabelledRecord_ProjectsOnRequestedDimensions()
    {
        var record = new LabelRecord("d", "x.jpg", null, Gender.Female, Ethnicity.Indian, AgeBand.Under18);
        Assert.Equal("female|indian|0-17", DemographicGroup.Of(record, GroupDimensions.All)!.Id);
        Assert.Equal("indian|0-17", DemographicGroup.Of(record, GroupDimensions.Ethnicity | GroupDimensions.AgeBand)!.Id);
    }

    [Theory]
    [InlineData(0, AgeBand.Under18)]
    [InlineData(17, AgeBand.Under18)]
    [InlineData(18, AgeBand.Adult18To59)]
    [InlineData(59, AgeBand.Adult18To59)]
    [InlineData(60, AgeBand.Senior60Plus)]
    [InlineData(116, AgeBand.Senior60Plus)]
    public void AgeBandOf_Boundaries_FallInTheRightBand(int age, AgeBand expected) =>
        Assert.Equal(expected, DemographicVocabulary.AgeBandOf(age));

    [Theory]
    [InlineData("caucasian", Ethnicity.White)]
    [InlineData("african", Ethnicity.Black)]
    [InlineData("eastasian", Ethnicity.Asian)]
    [InlineData("asianindian", Ethnicity.Indian)]
    [InlineData("latino", Ethnicity.Other)]
    [InlineData("pacificislander", Ethnicity.Other)]
    [InlineData("", null)]
    [InlineData("african;caucasian", null)]
    public void MapLfwEthnicity_KnownCell_MapsOrUnknown(string cell, Ethnicity? expected)
    {
        Assert.True(DemographicVocabulary.MapLfwEthnicity(cell, out var e));
        Assert.Equal(expected, e);
    }

    [Fact]
    public void MapLfwEthnicity_UnknownToken_ReturnsFalse() =>
        Assert.False(DemographicVocabulary.MapLfwEthnicity("caucasian;klingon", out _));
}
