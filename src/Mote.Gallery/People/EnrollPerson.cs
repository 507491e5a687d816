using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Population;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.People;

/// <summary>What an administrator asks for when enrolling someone.</summary>
/// <param name="Name">Display name; unique together with <paramref name="ExternalId"/> (<see cref="PersonIdentity"/>).</param>
/// <param name="Photo">The reference photo (PNG or JPEG); not kept.</param>
/// <param name="FaceIndex">Which detected face (0 = largest); null picks the largest.</param>
/// <param name="Declared">Declared attributes; undeclared ones are shown as estimates.</param>
/// <param name="Balance">Weights by group id; null = equal over the pack's groups.</param>
/// <param name="Seed">Training seed; null draws a random one (recorded in the template).</param>
/// <param name="ExternalId">Optional id from outside the portal (an employee number), unique when given; tells people with equal names apart.</param>
/// <param name="PersonId">The id to give the person; null: a new one. An enrollment job passes its own, so a run repeated after a restart finds the person an earlier run stored instead of enrolling them twice.</param>
public sealed record EnrollmentRequest(
    string Name,
    ReadOnlyMemory<byte> Photo,
    int? FaceIndex = null,
    DeclaredAttributes? Declared = null,
    (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation)? Balance = null,
    long? Seed = null,
    string? ExternalId = null,
    string? PersonId = null);

/// <summary>The stages enrollment reports through its <see cref="IProgress{T}"/>, in order.</summary>
public static class EnrollmentStages
{
    /// <summary>Finding and describing the face in the photo.</summary>
    public const string Analysing = "finding the face";
    /// <summary>Training the model-template (the longest stage).</summary>
    public const string Training = "training the model-template";
    /// <summary>Reading the person's threshold for their group.</summary>
    public const string Calibrating = "calibrating the threshold";
    /// <summary>Storing the person and the encrypted template.</summary>
    public const string Saving = "saving";

    /// <summary>Rough progress at the start of <paramref name="stage"/>, for the indicator: training the model-template is by far the longest stage.</summary>
    public static int PercentOf(string? stage) => stage switch
    {
        Training => 15,
        Calibrating => 85,
        Saving => 95,
        _ => 5,
    };
}

/// <summary>The enrolled person, the training summary (null for a vector template, which is not trained) and the total time.</summary>
public sealed record EnrollmentResult(PersonSummary Person, TrainingSummary? Training, TimeSpan Duration);

/// <summary>
/// Enrolls a person from one photo: detects and checks the face, trains their model-template on
/// synthetic positives and negatives drawn by their balance, calibrates their threshold on synthetic
/// impostors, encrypts the template bound to their id and stores it with one
/// <see cref="AuditEventCode.PersonEnrolled"/> event — all or nothing. Needs <see cref="Permission.ManageGallery"/>.
/// The photo and the reference descriptor are not stored; a thumbnail and/or the reference face crop are kept
/// (encrypted, in the same transaction) only when the <see cref="ReferenceRetention"/> setting asks for them.
/// The audit detail carries the photo's keyed <see cref="PhotoDigest"/>, so a bulk enrollment sent again recognises
/// the people it enrolled (<see cref="EnrollPeopleInBulk"/>).
/// An estimated attribute is stored only when its confidence reaches the measured cutoff (<paramref name="cutoffs"/>,
/// the same the enrollment form pre-fills by); below it the attribute stays unknown unless declared, and the threshold
/// is read for the group of the attributes known (<see cref="PersonGroup"/> skips unknown ones).
/// </summary>
public sealed class EnrollPerson(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, SecretKeyStore keys, TimeProvider time, AttributeConfidence cutoffs)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="request">The person, their photo and balance.</param>
    /// <param name="progress">Told each stage as it starts (<see cref="EnrollmentStages"/>).</param>
    /// <param name="ct">Cancels the enrollment; nothing is stored.</param>
    /// <exception cref="GalleryException">The photo or a declared attribute is refused, or the name and external id clash with someone enrolled (the same name and external id, or the external id alone).</exception>
    public async Task<EnrollmentResult> ExecuteAsync(Actor actor, EnrollmentRequest request, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        PhotoPolicy.CheckSize(request.Photo);
        var started = Stopwatch.StartNew();
        var key = PersonIdentity.Normalize(request.Name, request.ExternalId);
        var name = key.Name;
        if (await PersonIdentity.ConflictAsync(db, key, ct).ConfigureAwait(false) is { } conflict)
        {
            throw new GalleryException(conflict, GalleryErrorKind.Conflict);
        }
        var declared = ValidateDeclared(request.Declared);

        progress?.Report(EnrollmentStages.Analysing);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var face = PickFace(Analyze(analyzer, request.Photo, QualityPurpose.Enrollment, ct), request.FaceIndex);
        if (!face.Quality.IsAccepted)
        {
            throw new GalleryException("This photo cannot be used for enrollment: " + string.Join("; ", face.Quality.Reasons) + ".", GalleryErrorKind.UnusablePhoto);
        }

        var population = engine.GetPopulation(analyzer.Backbone);
        var balance = PersonTemplateBuilder.ResolveBalance(population, request.Balance);
        var seed = request.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var current = await settings.ReadAsync(ct).ConfigureAwait(false);
        var targetFmr = current.TargetFmr;

        var person = new Person
        {
            Id = request.PersonId ?? Guid.NewGuid().ToString(),
            Name = name,
            NormalizedName = key.NormalizedName,
            ExternalId = key.ExternalId,
            NormalizedExternalId = key.NormalizedExternalId,
            DeclaredGender = declared.Gender,
            DeclaredEthnicity = declared.Ethnicity,
            DeclaredAgeBand = declared.AgeBand,
            EstimatedGender = cutoffs.UsableValue(face.Attributes, EstimatedAttribute.Gender),
            EstimatedEthnicity = cutoffs.UsableValue(face.Attributes, EstimatedAttribute.Ethnicity),
            EstimatedAgeBand = cutoffs.UsableValue(face.Attributes, EstimatedAttribute.AgeBand),
            BalanceJson = PersonRowMapper.BalanceToJson(balance),
            BackboneId = analyzer.Backbone.Id,
            BackboneHash = analyzer.Backbone.Sha256Hex,
            PopulationPackId = PersonTemplateBuilder.PackId(population),
            TargetFmr = targetFmr,
            Seed = seed,
            EnrolledUtc = time.GetUtcNow(),
            ConcurrencyStamp = Guid.NewGuid().ToString("N"),
        };
        if (engine.Settings.TemplateKind != TemplateKind.Vector)
        {
            progress?.Report(EnrollmentStages.Training);
        }
        var descriptor = await ReferenceFaces.TrainingDescriptorAsync(analyzer, request.Photo, face, current.ReferenceRetention, ct).ConfigureAwait(false);
        var built = await PersonTemplateBuilder.BuildAsync(engine, descriptor, population, balance, seed, analyzer.Backbone, ct).ConfigureAwait(false);
        PersonTemplateBuilder.Store(person, built, protector);
        progress?.Report(EnrollmentStages.Calibrating);
        var threshold = person.Threshold = PersonTemplateBuilder.Calibrate(engine, built.Template, population, seed, targetFmr, PersonGroup.Of(person));
        var images = RetainedImages(person.Id, request.Photo, face, current.ReferenceRetention, ct);

        var digest = PhotoDigest.Of(keys, request.Photo.Span);

        progress?.Report(EnrollmentStages.Saving);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // Again inside the write transaction (IMMEDIATE: writers are serialised): enrollments of one name that all
            // passed the check above while training are refused here in words, before the unique index has to.
            if (await PersonIdentity.ConflictAsync(db, key, ct).ConfigureAwait(false) is { } late)
            {
                throw new GalleryException(late, GalleryErrorKind.Conflict);
            }
            db.People.Add(person);
            db.PersonImages.AddRange(images);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException e) when (PersonIdentity.IsUniqueViolation(e))
            {
                // Someone enrolled the same name and external id (or the same external id) since the check above.
                throw PersonIdentity.Refusal(key);
            }
            await audit.AppendAsync(actor, AuditEventCode.PersonEnrolled, person.Id,
                $"{name}{(key.ExternalId is { } x ? $" (external id {x})" : "")}: {person.TemplateKind.ReportName()} template, {person.TemplateBytes} bytes, threshold {Core.Templates.ReadableScore.OfKind(person.TemplateKind, threshold)}{(images.Count > 0 ? $", kept {string.Join(" and ", images.Select(i => i.Kind))}" : "")}, {PhotoDigest.Marker}{digest}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        index.Invalidate();
        return new EnrollmentResult(PersonRowMapper.ToSummary(person), built.Training, started.Elapsed);
    }

    internal static FaceAnalysis Analyze(IFaceAnalyzer analyzer, ReadOnlyMemory<byte> photo, QualityPurpose purpose, CancellationToken ct)
    {
        try
        {
            return analyzer.Analyze(photo, purpose, ct);
        }
        catch (ImageRejectedException e)
        {
            throw new GalleryException(e.Message, GalleryErrorKind.UnusablePhoto);
        }
    }

    internal static AnalyzedFace PickFace(FaceAnalysis analysis, int? index)
    {
        if (analysis.Faces.Count == 0)
        {
            throw new GalleryException("No face was found in this photo.", GalleryErrorKind.UnusablePhoto);
        }
        if (index is { } i && (i < 0 || i >= analysis.Faces.Count))
        {
            throw new GalleryException($"There is no face number {i}: the photo has {analysis.Faces.Count} (numbered from 0, largest first).");
        }
        return analysis.Faces[index ?? 0];
    }

    /// <summary>
    /// The images retention asks to keep of this face, encrypted and bound to the person's id and kind:
    /// a thumbnail (Thumbnail and ReferencePhoto) and the reference face crop (ReferencePhoto). The photo is
    /// re-encoded from decoded pixels, so no EXIF/GPS survives.
    /// </summary>
    internal List<PersonImage> RetainedImages(string personId, ReadOnlyMemory<byte> photo, AnalyzedFace face, ReferenceRetention retention, CancellationToken ct) =>
        RetainedImages(protector, time, personId, photo, face, retention, ct);

    internal static List<PersonImage> RetainedImages(TemplateProtector protector, TimeProvider time, string personId, ReadOnlyMemory<byte> photo, AnalyzedFace face, ReferenceRetention retention, CancellationToken ct)
    {
        var images = new List<PersonImage>();
        if (retention == ReferenceRetention.None)
        {
            return images;
        }
        var decoded = PhotoRules.Decode(photo, ct);
        void Keep(string kind, byte[] plain) => images.Add(new PersonImage
        {
            PersonId = personId, Kind = kind, CreatedUtc = time.GetUtcNow(),
            Blob = protector.Protect(personId, PersonImage.Purpose(kind), plain),
        });
        Keep(PersonImage.ThumbnailKind, PhotoRules.FaceJpeg(decoded, face.Box, 0.25, PhotoRules.ThumbnailSide, 85));
        if (retention == ReferenceRetention.ReferencePhoto)
        {
            Keep(PersonImage.ReferenceKind, PhotoRules.ReferenceCrop(decoded, face.Box));
        }
        return images;
    }

    internal static DeclaredAttributes ValidateDeclared(DeclaredAttributes? declared)
    {
        if (declared is null)
        {
            return new DeclaredAttributes();
        }
        static string? Check(string? value, string what, Func<string, bool> valid, string allowed)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }
            var v = value.Trim().ToLowerInvariant();
            return valid(v) ? v : throw new GalleryException($"Unknown {what} '{value}'. Use one of: {allowed}.");
        }
        return new DeclaredAttributes(
            Check(declared.Gender, "gender", v => DemographicGroup.TryParse(v, out var g) && g.Gender is not null && g.Ethnicity is null && g.AgeBand is null, "female, male"),
            Check(declared.Ethnicity, "ethnicity", v => DemographicGroup.TryParse(v, out var g) && g.Ethnicity is not null && g.Gender is null && g.AgeBand is null, "white, black, asian, indian, other"),
            Check(declared.AgeBand, "age band", v => DemographicGroup.TryParse(v, out var g) && g.AgeBand is not null && g.Gender is null && g.Ethnicity is null, "0-17, 18-59, 60+"));
    }
}
