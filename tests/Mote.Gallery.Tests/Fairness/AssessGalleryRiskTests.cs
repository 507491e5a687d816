using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Fairness;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;
using Microsoft.Extensions.DependencyInjection;

namespace Mote.Gallery.Tests.Fairness;

/// <summary>Gallery risk on real enrolled people (real engine, real photos, real population pack).</summary>
public sealed class AssessGalleryRiskTests(EngineGallery gallery, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<EngineGallery>, IAsyncLifetime
{
    private GalleryTestDatabase Db => gallery.Db;

    private string _aliceId = "";
    private string _bobId = "";

    public async Task InitializeAsync()
    {
        if (await Db.InScopeAsync<MoteDbContext, int>(c => c.People.CountAsync()) == 0)
        {
            _aliceId = (await EnrollAsync("Risk Alice", "sample1.jpg", 11)).Person.Id;
            _bobId = (await EnrollAsync("Risk Bob", "sample2.jpg", 12)).Person.Id;
        }
        else
        {
            _aliceId = await Db.InScopeAsync<MoteDbContext, string>(c => c.People.Where(p => p.Name == "Risk Alice").Select(p => p.Id).SingleAsync());
            _bobId = await Db.InScopeAsync<MoteDbContext, string>(c => c.People.Where(p => p.Name == "Risk Bob").Select(p => p.Id).SingleAsync());
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Execute_EnrolledPeople_RatePerGroupAtTheirThreshold_FlaggedAboveLimit()
    {
        var progress = new List<(int, int)>();
        var report = await AssessAsync(Actors.Auditor, new GalleryRiskRequest(ImpostorsPerGroup: 300), new SyncProgress(progress.Add));

        var engine = Db.Services.GetRequiredService<GalleryEngine>();
        var pack = engine.GetPopulation((await engine.GetAnalyzerAsync()).Backbone);
        Assert.Equal(pack.Negatives.Keys.Select(g => g.Id).Order(StringComparer.Ordinal), report.Groups);
        Assert.Equal(2, report.People.Count);
        Assert.Equal(1e-3 * 10, report.Limit, 12);
        Assert.All(report.People, p =>
        {
            Assert.Null(p.Error);
            Assert.Equal(report.Groups, p.Groups.Select(g => g.Group));
            Assert.All(p.Groups, g => Assert.Equal(300, g.Impostors));
            Assert.Equal(p.Groups.Max(g => g.Fmr), p.WorstFmr);
            // Thresholds come from the default pack's real-impostor calibration for the person's own group: the rate
            // expected against real strangers of that group reads back as the target, or below it where the cosine bound
            // raised the threshold (checked per person below).
            Assert.InRange(p.RealFmr!.Value, 0, 1e-3 + 1e-8);
            // The most specific curve the default pack measured for them (it is calibrated on UTKFace too, so gender ×
            // ethnicity, and × age band where there are enough pairs).
            // Since issue 16 an estimate below its measured confidence cutoff is not stored: a person whose attributes are all
            // unknown reads a curve of no gender (the pooled "all" for the demo photos), as when no estimator runs.
            if (p.Gender is { Length: > 0 } && p.Ethnicity is { Length: > 0 })
            {
                Assert.StartsWith($"{p.Gender}|{p.Ethnicity}", p.RealGroup, StringComparison.Ordinal);
            }
            else if (string.IsNullOrEmpty(p.Gender) && string.IsNullOrEmpty(p.Ethnicity))
            {
                Assert.DoesNotMatch("^(female|male)", p.RealGroup);
            }
            Assert.Equal(p.WorstFmr > report.Limit || p.RealFmr > report.Limit, p.Flagged);
        });
        // Each threshold is the own-group one (read back as the target exactly) or, under the default bounded policy, the
        // cosine bound above it (read back lower).
        var engineBackbone = (await engine.GetAnalyzerAsync()).Backbone;
        foreach (var person in report.People)
        {
            var stored = await Db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(x => x.Id == person.Id));
            var opened = PersonRowMapper.OpenTemplate(stored, Db.Services.GetRequiredService<TemplateProtector>(), engineBackbone);
            var ownGroup = PersonTemplateBuilder.CalibratedThreshold("own group", opened, pack, engine.TemplateSignatureFor(pack.BackboneId), 1e-3, PersonGroup.Of(stored))!.Value;
            var bounded = PersonTemplateBuilder.CalibratedThreshold(Core.Templates.CalibratedScale.BoundedPolicy, opened, pack, engine.TemplateSignatureFor(pack.BackboneId), 1e-3, PersonGroup.Of(stored), engine.Settings.CorrectionCap)!.Value;
            Assert.Equal(bounded, stored.Threshold);
            if (bounded > ownGroup)
            {
                Assert.True(person.RealFmr < 1e-3, $"{person.RealFmr} at a bounded threshold");
            }
            else
            {
                Assert.Equal(1e-3, person.RealFmr!.Value, 5);
            }
        }

        // Riskiest first.
        Assert.True(report.People[0].WorstFmr >= report.People[1].WorstFmr);
        Assert.Equal((2, 2), progress[^1]);

        // Rates are the template's own at its threshold: recompute one directly on the same seeded impostors.
        var alice = report.People.Single(p => p.Id == _aliceId);
        var row = await Db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == _aliceId));
        var template = PersonRowMapper.OpenTemplate(row, Db.Services.GetRequiredService<TemplateProtector>(), (await engine.GetAnalyzerAsync()).Backbone);
        var sampler = new Core.Population.Sampling.TrainingSetSampler(pack);
        var k = 0;
        var expected = pack.Negatives.Keys
            .Select(g => (g.Id, Count: sampler.SampleImpostors(g, 300, AssessGalleryRisk.ImpostorSeed + k++).Count(x => template.Score(x) >= row.Threshold)))
            .OrderBy(g => g.Id, StringComparer.Ordinal).Select(g => g.Count);
        Assert.Equal(expected, alice.Groups.Select(g => g.FalseMatches));

        // A limit below every non-zero rate flags everyone: each accepts some real strangers (the calibrated rate).
        var strict = await AssessAsync(Actors.Admin, new GalleryRiskRequest(LimitMultiple: 1e-6, ImpostorsPerGroup: 300));
        Assert.All(strict.People, p => Assert.True(p.Flagged));
        Assert.Equal(0, strict.Recomputed); // unchanged people come from the cache

        // A figure, not a timed assertion: scoring at the default impostor count (sampling included on first use).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var full = await AssessAsync(Actors.Admin, new GalleryRiskRequest());
        output.WriteLine($"{full.Recomputed} people at {full.ImpostorsPerGroup}/group x {full.Groups.Count} groups: {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        await AssessAsync(Actors.Admin, new GalleryRiskRequest());
        output.WriteLine($"cached rerun: {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Execute_PersonChanged_RescoredAtTheNewThreshold()
    {
        await AssessAsync(Actors.Admin, new GalleryRiskRequest(ImpostorsPerGroup: 200));
        // As a retrain does: a new threshold and a new concurrency stamp. A threshold above every score accepts nobody.
        var oldThreshold = 0f;
        var oldStamp = "";
        await Db.InScopeAsync<MoteDbContext, int>(async c =>
        {
            var p = await c.People.SingleAsync(x => x.Id == _bobId);
            (oldThreshold, oldStamp) = (p.Threshold, p.ConcurrencyStamp);
            p.Threshold = 1.01f;
            p.ConcurrencyStamp = Guid.NewGuid().ToString("N");
            return await c.SaveChangesAsync();
        });
        try
        {
            var report = await AssessAsync(Actors.Admin, new GalleryRiskRequest(ImpostorsPerGroup: 200));

            Assert.Equal(1, report.Recomputed);
            var bob = report.People.Single(p => p.Id == _bobId);
            Assert.All(bob.Groups, g => Assert.Equal(0, g.FalseMatches));
            Assert.False(bob.Flagged);
        }
        finally
        {
            await Db.InScopeAsync<MoteDbContext, int>(async c =>
            {
                var p = await c.People.SingleAsync(x => x.Id == _bobId);
                (p.Threshold, p.ConcurrencyStamp) = (oldThreshold, oldStamp);
                return await c.SaveChangesAsync();
            });
        }
    }

    [Fact]
    public async Task Execute_SavedRiskLimit_IsTheDefaultFlagLimit_ATrialLimitIsNotSaved()
    {
        var opened = await Db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        var saved = await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
            new GallerySettingsChange(opened.ReferenceRetention, opened.KeepProbeImages, opened.TargetFmr, opened.ConcurrencyStamp, RiskLimitMultiple: 1000)));
        try
        {
            // The policy: 1000 × 1e-3 = an FMR of 1, which nobody exceeds.
            var policy = await AssessAsync(Actors.Auditor, new GalleryRiskRequest(ImpostorsPerGroup: 200));
            Assert.True(policy.LimitIsPolicy);
            Assert.Equal(1000, policy.LimitMultiple);
            Assert.Equal(1000, policy.PolicyLimitMultiple);
            Assert.Equal(1000 * saved.TargetFmr, policy.Limit, 12);
            Assert.Equal(0, policy.FlaggedCount);

            // A trial limit below every non-zero rate flags whoever accepts any impostor (real strangers at the calibrated
            // rate: everyone), and leaves the saved policy alone.
            var trial = await AssessAsync(Actors.Auditor, new GalleryRiskRequest(LimitMultiple: 1e-6, ImpostorsPerGroup: 200));
            Assert.False(trial.LimitIsPolicy);
            Assert.Equal(1000, trial.PolicyLimitMultiple);
            Assert.All(trial.People, p => Assert.Equal(p.WorstFmr > 0 || p.RealFmr > 0, p.Flagged));
            var after = await Db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
            Assert.Equal(1000, after.RiskLimitMultiple);
            Assert.Equal(saved.ConcurrencyStamp, after.ConcurrencyStamp);
        }
        finally
        {
            // The fixture is shared: put the default limit back for the other tests.
            await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
                new GallerySettingsChange(saved.ReferenceRetention, saved.KeepProbeImages, saved.TargetFmr, saved.ConcurrencyStamp, GalleryRiskRequest.DefaultLimitMultiple)));
        }
    }

    [Fact]
    public async Task Execute_OperatorOrBadLimit_Refused()
    {
        await Assert.ThrowsAsync<PermissionDeniedException>(() => AssessAsync(Actors.Operator, new GalleryRiskRequest()));
        var zero = await Assert.ThrowsAsync<GalleryException>(() => AssessAsync(Actors.Admin, new GalleryRiskRequest(LimitMultiple: 0)));
        var few = await Assert.ThrowsAsync<GalleryException>(() => AssessAsync(Actors.Admin, new GalleryRiskRequest(ImpostorsPerGroup: 1)));
        Assert.Contains("positive multiple", zero.Message, StringComparison.Ordinal);
        Assert.Contains("between 10 and 20,000", few.Message, StringComparison.Ordinal);
    }

    private Task<GalleryRiskReport> AssessAsync(Actor actor, GalleryRiskRequest request, IProgress<(int, int)>? progress = null) =>
        Db.InScopeAsync<AssessGalleryRisk, GalleryRiskReport>(a => a.ExecuteAsync(actor, request, progress));

    private async Task<EnrollmentResult> EnrollAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        return await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
    }

    /// <summary>Progress reported inline (Progress&lt;T&gt; posts to the thread pool, so the last report could arrive late).</summary>
    private sealed class SyncProgress(Action<(int, int)> report) : IProgress<(int, int)>
    {
        public void Report((int, int) value) => report(value);
    }
}
