using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// Issue 15 item 5 (docs/scale.md): at 10,000 default people a rebuild of the 1:N index read, decrypted and quantised every
/// template again after each enrollment (69 s on 2 cores), and its freshness check scanned every blob (1.85 s a lookup).
/// A rebuild now opens only the people whose record changed and keeps everyone else's template; the answers are those of
/// an index built from nothing.
/// </summary>
public sealed class GalleryIndexIncrementalTests
{
    private static readonly BackboneIdentity Backbone = VectorPeople.Backbone;

    [Fact]
    public async Task Rebuild_OpensOnlyNewOrChangedPeople_AnswersAsAFreshIndex()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        await db.AddPeopleAsync(VectorPeople.Build("Ada", protector, VectorPeople.Axis(0), 1), VectorPeople.Build("Bob", protector, VectorPeople.Axis(1), 2), VectorPeople.Build("Cy", protector, VectorPeople.Axis(2), 3));
        var index = db.Services.GetRequiredService<GalleryIndex>();

        var first = await index.GetAsync(Backbone, default);
        Assert.Equal((3, 0), (first.Opened, first.Kept));

        // In-process invalidation (what every enrollment, retraining, edit and erasure does), nothing changed: all kept.
        index.Invalidate();
        var again = await index.GetAsync(Backbone, default);
        Assert.NotSame(first, again);
        Assert.Equal((0, 3), (again.Opened, again.Kept));

        // Bob retrained elsewhere (another template under a new stamp, no Invalidate here) and Dee enrolled: those two are opened.
        var bob = first.People.Single(p => p.Name == "Bob").Id;
        var retrained = protector.Protect(bob, PersonRowMapper.VectorTemplatePurpose, System.Runtime.InteropServices.MemoryMarshal.AsBytes(VectorPeople.Axis(5).AsSpan()));
        Assert.Equal(1, await db.InScopeAsync<MoteDbContext, int>(c => c.People.Where(p => p.Id == bob).ExecuteUpdateAsync(u => u
            .SetProperty(p => p.TemplateBlob, retrained).SetProperty(p => p.ConcurrencyStamp, "new").SetProperty(p => p.RetrainedUtc, DateTimeOffset.UtcNow))));
        await db.AddPeopleAsync(VectorPeople.Build("Dee", protector, VectorPeople.Axis(3), 4));
        var changed = await index.GetAsync(Backbone, default);
        Assert.Equal((2, 2), (changed.Opened, changed.Kept));
        Assert.Equal(["Ada", "Bob", "Cy", "Dee"], changed.People.Select(p => p.Name));
        Assert.Equal(1, Best(changed, VectorPeople.Axis(5)));
        Assert.Equal(-1, Best(changed, VectorPeople.Axis(1))); // Bob's old template is gone
        Assert.Equal(3, Best(changed, VectorPeople.Axis(3)));

        // Ada erased elsewhere and Cy renamed (an edit changes the stamp): Cy is opened again, Ada left out.
        Assert.Equal(1, db.Execute("DELETE FROM People WHERE Name = 'Ada'"));
        Assert.Equal(1, db.Execute("UPDATE People SET Name = 'Cyrus', ConcurrencyStamp = 'edited' WHERE Name = 'Cy'"));
        var fewer = await index.GetAsync(Backbone, default);
        Assert.Equal((1, 2), (fewer.Opened, fewer.Kept));
        Assert.Equal(["Bob", "Cyrus", "Dee"], fewer.People.Select(p => p.Name));

        // A second index over the same file, built from nothing, gives the same people, thresholds and answers.
        var fresh = await new GalleryIndex(db.Services.GetRequiredService<IServiceScopeFactory>(), protector,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<GalleryIndex>.Instance).GetAsync(Backbone, default);
        Assert.Equal((3, 0), (fresh.Opened, fresh.Kept));
        Assert.Equal(fresh.People, fewer.People);
        Assert.Equal(fresh.Thresholds, fewer.Thresholds);
        foreach (var probe in new[] { VectorPeople.Axis(1), VectorPeople.Axis(2), VectorPeople.Axis(3), VectorPeople.Axis(5) })
        {
            Assert.Equal(Best(fresh, probe), Best(fewer, probe));
        }
    }

    private static int Best(GalleryIndex.Snapshot snapshot, float[] probe)
    {
        var result = snapshot.Identifier!.Identify(Backbone, probe, snapshot.Thresholds);
        return result.IsNoMatch ? -1 : result.Candidates[0].TemplateIndex;
    }
}
