using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.People;

/// <summary>What an administrator asks for when retraining someone.</summary>
/// <param name="Person">Name or id.</param>
/// <param name="ConcurrencyStamp">The stamp the page was loaded with; a different stored stamp means someone else changed the person.</param>
/// <param name="Balance">New weights by group id; null or an empty part = equal over the pack's groups.</param>
/// <param name="Photo">A new photo; null = retrain from the retained reference face.</param>
/// <param name="FaceIndex">Which face of <paramref name="Photo"/>; null = the largest.</param>
/// <param name="Seed">Training seed; null keeps the person's seed (so the result is what <see cref="PreviewBalance"/> showed).</param>
public sealed record RetrainRequest(
    string Person,
    string ConcurrencyStamp,
    (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation)? Balance = null,
    ReadOnlyMemory<byte>? Photo = null,
    int? FaceIndex = null,
    long? Seed = null);

/// <summary>The retrained person, the training summary (null for a vector template) and the total time.</summary>
public sealed record RetrainResult(PersonSummary Person, TrainingSummary? Training, TimeSpan Duration);

/// <summary>
/// Retrains a person's model-template with a new balance, from the retained reference face or a new photo;
/// recalibrates the threshold to the current target FMR; replaces the template (and, with a new photo and a
/// retention that keeps images, the kept images) and writes one <see cref="AuditEventCode.PersonRetrained"/>
/// event — all or nothing. A save against a person someone else changed since the page loaded is refused with
/// <see cref="GalleryConcurrencyException"/> and overwrites nothing. Needs <see cref="Permission.ManageGallery"/>.
/// </summary>
public sealed class RetrainPerson(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, TimeProvider time)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="request">The person, the concurrency stamp read with them, and what to change.</param>
    /// <param name="progress">Told each stage as it starts (<see cref="EnrollmentStages"/>).</param>
    /// <param name="ct">Cancels the retraining; nothing is replaced.</param>
    /// <exception cref="GalleryConcurrencyException">The person changed since <see cref="RetrainRequest.ConcurrencyStamp"/> was read.</exception>
    public Task<RetrainResult> ExecuteAsync(Actor actor, RetrainRequest request, IProgress<string>? progress = null, CancellationToken ct = default) =>
        RetrainAsync(actor, request, null, progress, ct);

    /// <summary>
    /// Retrains as <see cref="ExecuteAsync"/>; <paramref name="newStamp"/> (a retrain job fixes it at submission) becomes the
    /// person's concurrency stamp, so a run repeated after a restart can tell that an earlier run already stored its result.
    /// </summary>
    internal async Task<RetrainResult> RetrainAsync(Actor actor, RetrainRequest request, string? newStamp, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        var started = Stopwatch.StartNew();
        var person = await db.People.FindByNameOrIdAsync(request.Person, ct).ConfigureAwait(false);
        // Checked before the expensive training, and again by the database on save (the stamp is a concurrency token).
        EnsureStamp(person, request.ConcurrencyStamp);

        progress?.Report(EnrollmentStages.Analysing);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var face = await ReferenceFaces.ResolveAsync(db, protector, analyzer, person, request.Photo, request.FaceIndex, ct).ConfigureAwait(false);
        var population = engine.GetPopulation(analyzer.Backbone);
        var balance = PersonTemplateBuilder.ResolveBalance(population, request.Balance);
        var current = await settings.ReadAsync(ct).ConfigureAwait(false);
        var seed = request.Seed ?? person.Seed;

        progress?.Report(EnrollmentStages.Training);
        var descriptor = request.Photo is { } newPhoto
            ? await ReferenceFaces.TrainingDescriptorAsync(analyzer, newPhoto, face, current.ReferenceRetention, ct).ConfigureAwait(false)
            : face.Descriptor;
        var built = await PersonTemplateBuilder.BuildAsync(engine, descriptor, population, balance, seed, analyzer.Backbone, ct).ConfigureAwait(false);
        progress?.Report(EnrollmentStages.Calibrating);
        var threshold = PersonTemplateBuilder.Calibrate(engine, built.Template, population, seed, current.TargetFmr, PersonGroup.Of(person));
        var images = request.Photo is { } photo
            ? EnrollPerson.RetainedImages(protector, time, person.Id, photo, face, current.ReferenceRetention, ct)
            : [];

        progress?.Report(EnrollmentStages.Saving);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            PersonTemplateBuilder.Store(person, built, protector);
            person.Threshold = threshold;
            person.TargetFmr = current.TargetFmr;
            person.BalanceJson = PersonRowMapper.BalanceToJson(balance);
            person.Seed = seed;
            person.BackboneId = analyzer.Backbone.Id;
            person.BackboneHash = analyzer.Backbone.Sha256Hex;
            person.PopulationPackId = PersonTemplateBuilder.PackId(population);
            person.RetrainedUtc = time.GetUtcNow();
            person.ConcurrencyStamp = newStamp ?? Guid.NewGuid().ToString("N");
            if (images.Count > 0)
            {
                // A new photo replaces what was kept of the old one.
                db.PersonImages.RemoveRange(await db.PersonImages.Where(i => i.PersonId == person.Id).ToListAsync(ct).ConfigureAwait(false));
                db.PersonImages.AddRange(images);
            }
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw Stale(person.Name);
            }
            await audit.AppendAsync(actor, AuditEventCode.PersonRetrained, person.Id,
                $"{person.Name}: {person.TemplateKind.ReportName()} template, {person.TemplateBytes} bytes, threshold {Core.Templates.ReadableScore.OfKind(person.TemplateKind, threshold)}, balance {PersonRowMapper.Summarise(person.BalanceJson)}, " +
                (request.Photo is null ? "from the kept reference face" : "from a new photo"), ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        index.Invalidate();
        return new RetrainResult(PersonRowMapper.ToSummary(person), built.Training, started.Elapsed);
    }

    internal static void EnsureStamp(Person person, string? expected)
    {
        if (!string.Equals(person.ConcurrencyStamp, expected, StringComparison.Ordinal))
        {
            throw Stale(person.Name);
        }
    }

    internal static GalleryConcurrencyException Stale(string name) =>
        new($"{name} was changed by someone else since you opened this page — reload and try again. Nothing was saved.");
}
