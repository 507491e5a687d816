using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Population.Packs;
using Mote.Gallery.Audit;
using Mote.Gallery.Backbones;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// The gallery's backbone (issue 13): probes are described by the gallery's own backbone whatever <c>Mote:Faces:Backbone</c>
/// says, a gallery whose templates come from other weights refuses probes in words, and <see cref="MigrateGalleryBackbone"/>
/// moves real LFW people from dlib-resnet to faceplugin-fr from their kept reference photos. Real SQLite file, real ONNX
/// models, real photos; the faceplugin-fr population pack is built from lfw-dev and utkface-part1 photos by the same
/// <see cref="BuildPopulationPack"/> as <c>mote population build</c> (once, then reused from the temp folder).
/// </summary>
public sealed class GalleryBackboneTests : IAsyncLifetime
{
    private GalleryTestDatabase _db = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }


    /// <summary>A gallery whose configured backbone is <paramref name="configured"/>, with the faceplugin-fr pack when given.</summary>
    private static Task<GalleryTestDatabase> GalleryAsync(string configured, string? facepluginPack = null) =>
        GalleryTestDatabase.CreateAsync(s =>
        {
            s.AddSingleton(new ModelPackOptions { CacheDir = TestModelCache.Folder });
            s.AddSingleton<IFaceAnalyzerFactory>(new PipelineFaceAnalyzerFactory(new FacePipelineOptions { Backbone = configured }));
            if (facepluginPack is not null)
            {
                s.AddSingleton(sp => new PopulationPackLocator(sp.GetRequiredService<EngineSettings>(), AppContext.BaseDirectory,
                    new Dictionary<string, string> { [FacepluginDescriber.Id] = facepluginPack }));
            }
        });

    [Fact]
    public async Task Verify_GalleryEnrolledWithOtherWeights_RefusedAsConflictNamingBothBackbonesAndTheMigration()
    {
        _db = await GalleryAsync(DlibResNetDescriber.Id);
        var people = await LfwPeople.EnrollAsync(_db, 1);
        // As if the gallery came from an installation whose dlib-resnet model had other weights (a restored backup, a replaced model file).
        var foreign = new string('a', 64);
        _db.Execute($"UPDATE People SET BackboneHash = '{foreign}'");
        var probe = File.ReadAllBytes(people[0].Files[1]);

        var verify = await Assert.ThrowsAsync<GalleryException>(() => _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Admin, people[0].Name, probe)));
        var identify = await Assert.ThrowsAsync<GalleryException>(() => _db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Admin, probe)));

        foreach (var refusal in new[] { verify, identify })
        {
            Assert.Equal(GalleryErrorKind.Conflict, refusal.Kind);
            Assert.Contains("dlib-resnet (aaaaaaaaaaaa…)", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("model file changed", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("mote gallery migrate --backbone dlib-resnet", refusal.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM Decisions"));
    }

    [Fact]
    public async Task Verify_ConfiguredBackboneIsNotTheGallerys_ProbesAreDescribedByTheGallerysBackbone()
    {
        // Configured faceplugin-fr, but the (empty) gallery was set to dlib-resnet: the gallery's choice rules from then on.
        _db = await GalleryAsync(FacepluginDescriber.Id);
        var set = await _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m => m.ExecuteAsync(Actors.Admin, new BackboneMigrationRequest(DlibResNetDescriber.Id)));
        Assert.True(set.Switched);

        var people = await LfwPeople.EnrollAsync(_db, 1);
        var result = await _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, people[0].Name, File.ReadAllBytes(people[0].Files[1])));

        Assert.True(result.Accepted, $"score {result.Score} vs threshold {result.Threshold}");
        Assert.Equal(DlibResNetDescriber.Id, await _db.InScopeAsync<MoteDbContext, string>(c => c.People.Select(p => p.BackboneId).SingleAsync()));
        Assert.Equal(1, _db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.GalleryBackboneChanged}"));
        var view = await _db.InScopeAsync<ReadGalleryBackbones, GalleryBackbonesView>(r => r.ExecuteAsync(Actors.Admin));
        Assert.Equal(DlibResNetDescriber.Id, view.GalleryOption);
        Assert.True(view.Choices.Single(c => c.Backbone == DlibResNetDescriber.Id).IsGallerys);
        Assert.True(view.Choices.Single(c => c.Backbone == FacepluginDescriber.Id).IsConfigured);
        Assert.True(view.Choices.Single(c => c.Backbone == FacepluginDescriber.Id).TrainingDataDocumented == false);
        Assert.True(view.Choices.Single(c => c.Backbone == DlibResNetDescriber.Id).TrainingDataDocumented == true);
    }

    [Fact]
    public async Task Migrate_NonAdmin_RefusedWithNothingChanged()
    {
        _db = await GalleryAsync(DlibResNetDescriber.Id);

        await Assert.ThrowsAsync<Mote.Gallery.Security.PermissionDeniedException>(() =>
            _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m => m.ExecuteAsync(Actors.Operator, new BackboneMigrationRequest(FacepluginDescriber.Id))));
        var unknown = await Assert.ThrowsAsync<GalleryException>(() =>
            _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m => m.ExecuteAsync(Actors.Admin, new BackboneMigrationRequest("arcface"))));

        Assert.Contains("Unknown backbone 'arcface'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(0, _db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.GalleryBackboneChanged}"));
    }

    [Fact]
    public async Task Migrate_ToFaceplugin_InterruptedResumedAndSwitchedWhenDone_PeopleWithoutPhotoListedAndLeftOut()
    {
        var pack = await FacepluginPack.PathAsync();
        _db = await GalleryAsync(DlibResNetDescriber.Id, pack);
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var kept = await LfwPeople.EnrollAsync(_db, 2, stride: 41, offset: 3);
        await SetRetentionAsync(ReferenceRetention.None);
        var withoutPhoto = await LfwPeople.EnrollAsync(_db, 1, stride: 41, offset: 9);
        var before = await TemplatesAsync();

        // 1. Interrupted after the first person was staged: that person's staged template survives, the gallery stays on dlib.
        using (var cts = new CancellationTokenSource())
        {
            var progress = new SyncProgress<BackboneMigrationProgress>(p =>
            {
                if (p.Done == 1)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m =>
                m.ExecuteAsync(Actors.Admin, new BackboneMigrationRequest(FacepluginDescriber.Id), progress, cts.Token)));
        }
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM StagedTemplates"));
        Assert.Equal(before, await TemplatesAsync());
        var stillOnDlib = await _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, kept[1].Name, File.ReadAllBytes(kept[1].Files[1])));
        Assert.True(stillOnDlib.Accepted);

        // 2. Resumed: the staged person is not trained again; the one without a kept photo holds the switch back.
        var second = await _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m => m.ExecuteAsync(Actors.Admin, new BackboneMigrationRequest(FacepluginDescriber.Id)));
        Assert.False(second.Switched);
        Assert.Equal(1, second.Resumed);
        Assert.Equal(1, second.ReEnrolled);
        Assert.Equal(withoutPhoto[0].Name, Assert.Single(second.NeedNewPhoto).Name);
        Assert.Contains("--leave-behind", second.Message, StringComparison.Ordinal);
        Assert.Equal(before, await TemplatesAsync());
        Assert.Equal(2, _db.Scalar("SELECT COUNT(*) FROM StagedTemplates"));

        // 3. Switched, leaving the person without a photo behind.
        var third = await _db.InScopeAsync<MigrateGalleryBackbone, BackboneMigrationResult>(m => m.ExecuteAsync(Actors.Admin, new BackboneMigrationRequest(FacepluginDescriber.Id, LeaveBehind: true)));
        Assert.True(third.Switched, third.Message);
        Assert.Equal(2, third.Resumed);
        Assert.Equal(0, third.ReEnrolled);
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM StagedTemplates"));
        var after = await TemplatesAsync();
        foreach (var person in kept)
        {
            Assert.Equal(FacepluginDescriber.Id, after[person.Name].Backbone);
            Assert.NotEqual(before[person.Name].Template, after[person.Name].Template);
            // Enrolled with the default balance: still the default, now over the faceplugin-fr pack's groups.
            using var balance = System.Text.Json.JsonDocument.Parse(after[person.Name].Balance);
            Assert.Single(balance.RootElement.GetProperty("negatives").EnumerateObject().Select(g => g.Value.GetDouble()).Distinct());
        }
        Assert.Equal(before[withoutPhoto[0].Name], after[withoutPhoto[0].Name]);

        // On the new backbone: each migrated person is verified from another photo of theirs and found by 1:N.
        foreach (var person in kept)
        {
            var probe = File.ReadAllBytes(person.Files[1]);
            var verified = await _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, person.Name, probe));
            Assert.True(verified.Accepted, $"{person.Name}: score {verified.Score} vs threshold {verified.Threshold}");
            var found = await _db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Admin, probe));
            Assert.Equal(person.Name, found.Matches[0].PersonName);
            Assert.Equal(2, found.GallerySize);
        }
        var leftBehind = await Assert.ThrowsAsync<GalleryException>(() => _db.InScopeAsync<VerifyProbe, VerificationResult>(v =>
            v.ExecuteAsync(Actors.Operator, withoutPhoto[0].Name, File.ReadAllBytes(withoutPhoto[0].Files[1]))));
        Assert.Equal(GalleryErrorKind.Conflict, leftBehind.Kind);
        Assert.Contains("Retrain them from a new photo", leftBehind.Message, StringComparison.Ordinal);

        // Audited: the run that staged without switching, then the switch (from, to, counts, who needs a photo by id).
        var details = _db.Strings($"SELECT p.Detail FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code = {(int)AuditEventCode.GalleryBackboneChanged} ORDER BY e.Id");
        Assert.Equal(2, details.Count);
        Assert.Contains("staged, not switched", details[0], StringComparison.Ordinal);
        Assert.Contains("→ faceplugin-fr", details[1], StringComparison.Ordinal);
        Assert.Contains("2 re-enrolled", details[1], StringComparison.Ordinal);
        var view = await _db.InScopeAsync<ReadGalleryBackbones, GalleryBackbonesView>(r => r.ExecuteAsync(Actors.Admin));
        Assert.Equal(FacepluginDescriber.Id, view.GalleryOption);
        Assert.True(view.Choices.Single(c => c.Backbone == FacepluginDescriber.Id).HasPopulationPack);
    }

    private async Task<Dictionary<string, (string Backbone, string Template, string Balance)>> TemplatesAsync() =>
        await _db.InScopeAsync<MoteDbContext, Dictionary<string, (string, string, string)>>(async c =>
            (await c.People.AsNoTracking().ToListAsync()).ToDictionary(p => p.Name, p => (p.BackboneId, Convert.ToBase64String(p.TemplateBlob), p.BalanceJson)));

    private async Task SetRetentionAsync(ReferenceRetention retention)
    {
        var current = await _db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        await _db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(retention, current.KeepProbeImages, current.TargetFmr, current.ConcurrencyStamp)));
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the pool and could cancel late).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>
/// A faceplugin-fr population pack for tests, built by <see cref="BuildPopulationPack"/> (what <c>mote population build</c>
/// runs) from the first 400 photos of lfw-dev and of utkface-part1, parametric, seed 1; kept in the temp folder under the
/// model's hash so later runs reuse it.
/// </summary>
internal static class FacepluginPack
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> PathAsync()
    {
        var root = Core.Tests.TestDatasets.Find("lfw-dev") is { } lfw ? Path.GetDirectoryName(lfw)! : throw new InvalidOperationException(Core.Tests.TestDatasets.Missing("lfw-dev"));
        await Gate.WaitAsync();
        try
        {
            var db = await GalleryTestDatabase.CreateAsync(s =>
            {
                s.AddSingleton(new ModelPackOptions
                {
                    CacheDir = TestModelCache.Folder,
                });
                s.AddSingleton<IFaceAnalyzerFactory>(new PipelineFaceAnalyzerFactory(new FacePipelineOptions { Backbone = FacepluginDescriber.Id }));
            });
            await using (db)
            {
                var engine = db.Services.GetRequiredService<GalleryEngine>();
                var hash = (await engine.GetAnalyzerAsync()).Backbone.Sha256Hex;
                var path = Path.Combine(Path.GetTempPath(), "mote-test-packs", $"faceplugin-fr-{hash[..12]}-400.motepop");
                if (File.Exists(path))
                {
                    return path;
                }
                var result = await db.Services.GetRequiredService<BuildPopulationPack>().ExecuteAsync(Path.Combine(root, "lfw-dev"), Path.Combine(root, "utkface-part1"),
                    PopulationDensityKind.Parametric, 1, "tests: FacepluginPack", limitPerDataset: 400);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                PopulationPackFile.Save(result.Pack, path + ".tmp");
                File.Move(path + ".tmp", path, overwrite: true);
                return path;
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
