using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Backbones;

/// <summary>What an administrator asks for when moving the gallery to another backbone.</summary>
/// <param name="Backbone">The <c>Mote:Faces:Backbone</c> value to move to (one of <see cref="FaceDescribers.Known"/>).</param>
/// <param name="LeaveBehind">Switch even though some people have no kept reference photo: they stay enrolled but cannot be
/// verified or found until they are retrained from a new photo. Default false: the switch waits until nobody is left.</param>
public sealed record BackboneMigrationRequest(string Backbone, bool LeaveBehind = false);

/// <summary>Progress of a migration: people looked at so far, of how many, and who is being re-enrolled now.</summary>
public readonly record struct BackboneMigrationProgress(int Done, int Total, string? Person);

/// <summary>Someone a migration could not move by itself, and why.</summary>
public sealed record MigrationHolder(string PersonId, string Name, string Reason);

/// <summary>What a migration run did.</summary>
/// <param name="From">The gallery's backbone before the run (null when none was fixed).</param>
/// <param name="To">The backbone moved to.</param>
/// <param name="Switched">Whether the gallery's backbone is now <paramref name="To"/>.</param>
/// <param name="ReEnrolled">People re-enrolled from their kept reference photo in this run.</param>
/// <param name="Resumed">People re-enrolled by an earlier, unfinished run and still unchanged (not trained again).</param>
/// <param name="NeedNewPhoto">People with no kept reference photo: they need a new photo on the new backbone.</param>
/// <param name="Failed">People whose kept photo could not be re-enrolled (words per person); the switch waits for them.</param>
/// <param name="Message">One sentence for the person who asked.</param>
public sealed record BackboneMigrationResult(
    string? From,
    string To,
    bool Switched,
    int ReEnrolled,
    int Resumed,
    IReadOnlyList<MigrationHolder> NeedNewPhoto,
    IReadOnlyList<MigrationHolder> Failed,
    string Message);

/// <summary>
/// Moves the gallery to another backbone (<c>mote gallery migrate --backbone X</c>, Settings → Model pack). Every person
/// whose reference photo is kept is re-enrolled on the new backbone from that photo, with their balance, seed and group, and
/// their threshold calibrated anew at the current target FMR; the new template is staged (<see cref="StagedTemplate"/>,
/// one save per person: all or nothing per person) while the gallery keeps serving on its old backbone. Resumable: a run
/// that stopped part-way keeps what it staged, and the next run trains only people not yet staged or changed since. When
/// everyone with a kept photo is staged (and, unless <see cref="BackboneMigrationRequest.LeaveBehind"/>, nobody lacks a
/// photo) the switch happens in one transaction: staged templates replace the live ones, the gallery's backbone is stored,
/// and one <see cref="AuditEventCode.GalleryBackboneChanged"/> event names from, to, counts and who needs a new photo. A run
/// that staged people without switching writes one event saying so. An empty gallery switches at once. Needs
/// <see cref="Permission.ManageSettings"/>.
/// </summary>
public sealed class MigrateGalleryBackbone(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings,
    AuditTrail audit, TimeProvider time)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="request">The backbone to move to, and whether to leave people without a kept photo behind.</param>
    /// <param name="progress">Told as each person is looked at.</param>
    /// <param name="ct">Cancels the run; what was staged so far is kept for the next run.</param>
    /// <exception cref="GalleryException">The backbone is unknown, or it is <c>custom</c> and the custom model is misconfigured.</exception>
    public async Task<BackboneMigrationResult> ExecuteAsync(Actor actor, BackboneMigrationRequest request, IProgress<BackboneMigrationProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageSettings);
        var wanted = (request.Backbone ?? "").Trim();
        if (!FaceDescribers.Known.Contains(wanted, StringComparer.Ordinal))
        {
            throw new GalleryException($"Unknown backbone '{wanted}'; known backbones: {string.Join(", ", FaceDescribers.Known)}.");
        }
        IFaceAnalyzer analyzer;
        try
        {
            analyzer = await engine.GetAnalyzerAsync(wanted, ct).ConfigureAwait(false);
        }
        catch (CustomModelConfigurationException e)
        {
            throw new GalleryException(e.Message);
        }
        var target = analyzer.Backbone;
        // Refuses before anything is trained when there is no population pack for the new backbone.
        var population = engine.GetPopulation(target);
        var from = await GalleryBackbone.ReadAsync(db, ct).ConfigureAwait(false);
        var targetFmr = (await settings.ReadAsync(ct).ConfigureAwait(false)).TargetFmr;

        // Staged for another backbone (an abandoned migration elsewhere): of no use to this one.
        var foreign = await db.StagedTemplates.Where(s => s.BackboneId != target.Id || s.BackboneHash != target.Sha256Hex).ToListAsync(ct).ConfigureAwait(false);
        if (foreign.Count > 0)
        {
            db.StagedTemplates.RemoveRange(foreign);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        var people = await db.People.AsNoTracking().OrderBy(p => p.EnrolledUtc).ToListAsync(ct).ConfigureAwait(false);
        var staged = await db.StagedTemplates.AsNoTracking().ToDictionaryAsync(s => s.PersonId, ct).ConfigureAwait(false);
        var withPhoto = (await db.PersonImages.AsNoTracking().Where(i => i.Kind == PersonImage.ReferenceKind).Select(i => i.PersonId).ToListAsync(ct).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        if (from is not null && from.Equals(target) && staged.Count == 0 && people.All(p => PersonRowMapper.IsOn(p, target)))
        {
            return new BackboneMigrationResult(from.Id, target.Id, true, 0, 0, [], [], $"The gallery is already on backbone {target}; nothing to do.");
        }

        var needPhoto = new List<MigrationHolder>();
        var failed = new List<MigrationHolder>();
        int reEnrolled = 0, resumed = 0;
        for (var i = 0; i < people.Count; i++)
        {
            var person = people[i];
            progress?.Report(new BackboneMigrationProgress(i, people.Count, person.Name));
            if (PersonRowMapper.IsOn(person, target))
            {
                continue;
            }
            if (staged.TryGetValue(person.Id, out var earlier) && earlier.PersonStamp == person.ConcurrencyStamp)
            {
                resumed++;
                continue;
            }
            if (!withPhoto.Contains(person.Id))
            {
                needPhoto.Add(new MigrationHolder(person.Id, person.Name, "no reference photo is kept"));
                continue;
            }
            try
            {
                await StageAsync(person, analyzer, population, targetFmr, ct).ConfigureAwait(false);
                reEnrolled++;
            }
            catch (GalleryException e)
            {
                failed.Add(new MigrationHolder(person.Id, person.Name, e.Message));
            }
        }
        progress?.Report(new BackboneMigrationProgress(people.Count, people.Count, null));

        var fromText = from?.ToString() ?? "none";
        if (failed.Count > 0 || (needPhoto.Count > 0 && !request.LeaveBehind))
        {
            var why = failed.Count > 0
                ? $"{failed.Count} could not be re-enrolled from their kept photo"
                : $"{needPhoto.Count} {(needPhoto.Count == 1 ? "person has" : "people have")} no kept reference photo (switch anyway with --leave-behind: they then need a new photo)";
            var message = string.Create(CultureInfo.InvariantCulture,
                $"Not switched yet: {reEnrolled + resumed} of {people.Count} people are ready on {target.Id}, {why}. The gallery stays on {fromText}; run the migration again to go on.");
            if (reEnrolled > 0)
            {
                await audit.AppendAsync(actor, AuditEventCode.GalleryBackboneChanged, null,
                    $"migration {fromText} → {target} staged, not switched: {reEnrolled} re-enrolled in this run, {resumed} earlier; {Names(needPhoto)}; {Failures(failed)}", ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            return new BackboneMigrationResult(from?.Id, target.Id, false, reEnrolled, resumed, needPhoto, failed, message);
        }

        var switched = await SwitchAsync(actor, from, target, wanted, reEnrolled, resumed, needPhoto, ct).ConfigureAwait(false);
        index.Invalidate();
        var done = string.Create(CultureInfo.InvariantCulture,
            $"The gallery is now on backbone {target} (was {fromText}): {switched} people moved from their kept reference photo") +
            (needPhoto.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {needPhoto.Count} need a new photo before they can be verified again.") : ".");
        return new BackboneMigrationResult(from?.Id, target.Id, true, reEnrolled, resumed, needPhoto, [], done);
    }

    private async Task StageAsync(Person person, IFaceAnalyzer analyzer, Core.Population.Packs.PopulationPack population, double targetFmr, CancellationToken ct)
    {
        var face = await ReferenceFaces.ResolveAsync(db, protector, analyzer, person, null, null, ct).ConfigureAwait(false);
        Balance balance;
        try
        {
            // The same balance settings. A part left at the default (every weight equal over the old pack's groups) stays the
            // default: equal over the new pack's groups. A tuned part keeps its weights and must name groups the new pack has.
            var stored = PersonRowMapper.BalanceFromJson(person.BalanceJson).ToIds();
            var equal = Balance.EqualOver(population).ToIds();
            balance = Balance.FromIds(IsEqual(stored.Negatives) ? equal.Negatives : stored.Negatives, IsEqual(stored.Variation) ? equal.Variation : stored.Variation);
            balance.Validate(population);
        }
        catch (InvalidBalanceException e)
        {
            throw new GalleryException($"Their balance does not fit the population pack of {analyzer.Backbone.Id}: {e.Message}");
        }
        var built = await PersonTemplateBuilder.BuildAsync(engine, face.Descriptor, population, balance, person.Seed, analyzer.Backbone, ct).ConfigureAwait(false);
        var threshold = PersonTemplateBuilder.Calibrate(engine, built.Template, population, person.Seed, targetFmr, PersonGroup.Of(person));
        var row = new StagedTemplate
        {
            PersonId = person.Id,
            Backbone = GalleryBackbone.OptionFor(analyzer.Backbone.Id),
            BackboneId = analyzer.Backbone.Id,
            BackboneHash = analyzer.Backbone.Sha256Hex,
            TemplateKind = built.Kind,
            TemplateBytes = built.Kind == TemplateKind.Vector ? built.Template.StorageBytes : built.PlainBytes.Length,
            TemplateBlob = protector.Protect(person.Id, built.Purpose, built.PlainBytes),
            PopulationPackId = PersonTemplateBuilder.PackId(population),
            Threshold = threshold,
            BalanceJson = PersonRowMapper.BalanceToJson(balance),
            TargetFmr = targetFmr,
            PersonStamp = person.ConcurrencyStamp,
            StagedUtc = time.GetUtcNow(),
        };
        // One save per person: their staged template is there whole or not at all.
        var existing = await db.StagedTemplates.SingleOrDefaultAsync(s => s.PersonId == person.Id, ct).ConfigureAwait(false);
        if (existing is not null)
        {
            db.StagedTemplates.Remove(existing);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        db.StagedTemplates.Add(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }

    private async Task<int> SwitchAsync(Actor actor, BackboneIdentity? from, BackboneIdentity target, string option, int reEnrolled, int resumed,
        List<MigrationHolder> needPhoto, CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var staged = await db.StagedTemplates.Where(s => s.BackboneId == target.Id && s.BackboneHash == target.Sha256Hex).ToListAsync(ct).ConfigureAwait(false);
            var ids = staged.Select(s => s.PersonId).ToList();
            var people = await db.People.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct).ConfigureAwait(false);
            var now = time.GetUtcNow();
            foreach (var s in staged)
            {
                var person = people[s.PersonId];
                if (person.ConcurrencyStamp != s.PersonStamp)
                {
                    // Retrained or edited between staging and now: nothing is switched; the next run stages them again.
                    throw new GalleryConcurrencyException($"{person.Name} was changed while the gallery was being migrated. Nothing was switched; run the migration again.");
                }
                person.TemplateKind = s.TemplateKind;
                person.TemplateBlob = s.TemplateBlob;
                person.TemplateBytes = s.TemplateBytes;
                person.BackboneId = s.BackboneId;
                person.BackboneHash = s.BackboneHash;
                person.PopulationPackId = s.PopulationPackId;
                person.Threshold = s.Threshold;
                person.BalanceJson = s.BalanceJson;
                person.TargetFmr = s.TargetFmr;
                person.RetrainedUtc = now;
                person.ConcurrencyStamp = Guid.NewGuid().ToString("N");
            }
            db.StagedTemplates.RemoveRange(staged);
            var row = await db.Settings.SingleOrDefaultAsync(s => s.Id == GallerySettings.SingletonId, ct).ConfigureAwait(false);
            if (row is null)
            {
                row = new GallerySettings();
                db.Settings.Add(row);
            }
            row.BackboneId = target.Id;
            row.BackboneHash = target.Sha256Hex;
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new GalleryConcurrencyException("Someone changed the gallery while it was being migrated. Nothing was switched; run the migration again.");
            }
            await audit.AppendAsync(actor, AuditEventCode.GalleryBackboneChanged, null,
                $"gallery backbone {from?.ToString() ?? "none"} → {target} (Mote:Faces:Backbone {option}): {staged.Count} re-enrolled from their kept reference photo " +
                $"({reEnrolled} in this run, {resumed} earlier); {Names(needPhoto)}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return staged.Count;
        }
    }

    private static bool IsEqual(IReadOnlyDictionary<string, double> weights) =>
        weights.Count > 0 && weights.Values.All(w => w.Equals(weights.Values.First()));

    private static string Names(List<MigrationHolder> needPhoto) =>
        needPhoto.Count == 0 ? "nobody needs a new photo" : $"{needPhoto.Count} need a new photo: {string.Join(", ", needPhoto.Take(20).Select(h => h.PersonId))}{(needPhoto.Count > 20 ? ", …" : "")}";

    private static string Failures(List<MigrationHolder> failed) =>
        failed.Count == 0 ? "none failed" : $"{failed.Count} failed: {string.Join(", ", failed.Take(20).Select(h => h.PersonId))}";
}
