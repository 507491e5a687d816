using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// "Estimated" is kept per attribute (issue 16, item 6): declaring one attribute at enrollment left the other two
/// estimated in the database, but the summary said none was, because one flag stood for all three.
/// </summary>
public sealed class PersonAttributesTests
{
    [Fact]
    public async Task ListAndGet_OneAttributeDeclared_TheOtherTwoStayEstimated()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var ada = PersonRows.Build("Ada Declared", declaredGender: "female", estimatedGender: "male", estimatedEthnicity: "white", estimatedAgeBand: "18-59");
        await db.AddPeopleAsync(ada);

        var (rows, _) = await db.InScopeAsync<ListPeople, (IReadOnlyList<PersonSummary>, int)>(l => l.ExecuteAsync(Actors.Auditor, null, PeopleSort.Name, 0, 10));
        var details = await db.InScopeAsync<GetPerson, PersonDetails>(g => g.ExecuteAsync(Actors.Auditor, ada.Id));

        foreach (var summary in new[] { Assert.Single(rows), details.Summary })
        {
            Assert.Equal(("female", "white", "18-59"), (summary.Gender, summary.Ethnicity, summary.AgeBand));
            Assert.False(summary.GenderEstimated);
            Assert.True(summary.EthnicityEstimated);
            Assert.True(summary.AgeBandEstimated);
            Assert.True(summary.AttributesEstimated);
            Assert.Equal([("female", false), ("white", true), ("18-59", true)], summary.Attributes);
        }
    }

    [Fact]
    public void ToSummary_AllDeclared_NoneEstimated_UnknownOnesNeitherShownNorEstimated()
    {
        var declared = PersonRowMapper.ToSummary(PersonRows.Build("All Declared", "female", "asian", "60+", "male", "white", "18-59"));
        var partial = PersonRowMapper.ToSummary(PersonRows.Build("Partly Known", declaredAgeBand: "0-17", estimatedGender: "male"));

        Assert.False(declared.AttributesEstimated);
        Assert.Equal([("female", false), ("asian", false), ("60+", false)], declared.Attributes);
        Assert.Equal((true, false, false), (partial.GenderEstimated, partial.EthnicityEstimated, partial.AgeBandEstimated));
        Assert.Null(partial.Ethnicity);
        Assert.Equal([("male", true), ("0-17", false)], partial.Attributes);
    }
}
