using System.Diagnostics;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.People;

/// <summary>The gallery table's query at 10,000 people: prints its median time; asserts the results, not the time.</summary>
[Trait("Category", "Benchmark")]
public sealed class ListPeopleScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ListPeople_TenThousandPeople_SearchSortPagePrintsMedian()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        using (var raw = db.OpenRaw())
        using (var transaction = raw.BeginTransaction())
        using (var insert = raw.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO People (Id, Name, NormalizedName, BalanceJson, TemplateKind, TemplateBlob, TemplateBytes, BackboneId, BackboneHash,
                  PopulationPackId, Threshold, TargetFmr, Seed, EnrolledUtc, ConcurrencyStamp)
                VALUES ($id, $name, $norm, '{"negatives":{"female":1},"variation":{"female":1}}', 'model', x'00', 103500, 'dlib-resnet', 'x', 'p', 0.001, 0.001, 1, $t, 's')
                """;
            var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
            var name = insert.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
            var norm = insert.Parameters.Add("$norm", Microsoft.Data.Sqlite.SqliteType.Text);
            var t = insert.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Integer);
            for (var i = 0; i < 10_000; i++)
            {
                (id.Value, name.Value, norm.Value, t.Value) = (Guid.NewGuid().ToString(), $"Person {i:D5}", $"PERSON {i:D5}", 638_000_000_000_000_000L + i);
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }

        var times = new List<double>();
        (IReadOnlyList<PersonSummary> Rows, int Total) page = default;
        for (var run = 0; run < 7; run++)
        {
            var watch = Stopwatch.StartNew();
            page = await db.InScopeAsync<ListPeople, (IReadOnlyList<PersonSummary>, int)>(l => l.ExecuteAsync(Actors.Auditor, "son 09", PeopleSort.EnrolledNewestFirst, 25, 25));
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        Assert.Equal(1000, page.Total);
        Assert.Equal("Person 09974", page.Rows![0].Name);
        times.Sort();
        output.WriteLine($"search + sort + page over 10,000 people: median {times[3]:F1} ms (min {times[0]:F1}, max {times[^1]:F1})");
    }
}
