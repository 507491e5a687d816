using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
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
/// <param name="Name">Display name, unique in the gallery.</param>
/// <param name="Photo">The reference photo (PNG or JPEG); not kept.</param>
/// <param name="FaceIndex">Which detected face (0 = largest); null picks the largest.</param>
/// <param name="Declared">Declared attributes; undeclared ones are shown as estimates.</param>
/// <param name="Balance">Weights by group id; null = equal over the pack's groups.</param>
/// <param name="Seed">Training seed; null draws a random one (recorded in the template).</param>
public sealed record EnrollmentRequest(
    string Name,
    ReadOnlyMemory<byte> Photo,
    int? FaceIndex = null,
    DeclaredAttributes? Declared = null,
    (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation)? Balance = null,
    long? Seed = null);

/// <summary>The enrolled person, the training summary (null for a vector template, which is not trained) and the total time.</summary>
public sealed record EnrollmentResult(PersonSummary Person, TrainingSummary? Training, TimeSpan Duration);

/// <summary>
/// Enrolls a person from one photo: detects and checks the face, trains their model-template on
/// synthetic positives and negatives drawn by their balance, calibrates their threshold on synthetic
/// impostors, encrypts the template bound to their id and stores it with one
/// <see cref="AuditEventCode.PersonEnrolled"/> event — all or nothing. Needs <see cref="Permission.ManageGallery"/>.
/// The photo and the reference descriptor are not stored.
/// </summary>
public sealed class EnrollPerson(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, TimeProvider time)
{
    public async Task<EnrollmentResult> ExecuteAsync(Actor actor, EnrollmentRequest request, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        var started = Stopwatch.StartNew();
        var name = (request.Name ?? "").Trim();
        if (name.Length is 0 or > 200)
        {
            throw new GalleryException("Give the person a name of 1 to 200 characters.");
        }
        var normalized = name.ToUpperInvariant();
        if (await db.People.AnyAsync(p => p.NormalizedName == normalized, ct).ConfigureAwait(false))
        {
            throw new GalleryException($"Someone called '{name}' is already enrolled; names must be unique.", GalleryErrorKind.Conflict);
        }
        var declared = ValidateDeclared(request.Declared);

        progress?.Report("finding the face");
        var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
        var face = PickFace(Analyze(analyzer, request.Photo, QualityPurpose.Enrollment, ct), request.FaceIndex);
        if (!face.Quality.IsAccepted)
        {
            throw new GalleryException("This photo cannot be used for enrollment: " + string.Join("; ", face.Quality.Reasons) + ".", GalleryErrorKind.UnusablePhoto);
        }

        var population = engine.GetPopulation(analyzer.Backbone);
        Balance balance;
        try
        {
            // A part left empty (e.g. only negative weights given) stays equal over the pack's groups.
            var equal = Balance.EqualOver(population).ToIds();
            balance = request.Balance is { } b
                ? Balance.FromIds(b.Negatives.Count > 0 ? b.Negatives : equal.Negatives, b.Variation.Count > 0 ? b.Variation : equal.Variation)
                : Balance.EqualOver(population);
            balance.Validate(population);
        }
        catch (InvalidBalanceException e)
        {
            throw new GalleryException(e.Message);
        }
        var seed = request.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var targetFmr = (await settings.ReadAsync(ct).ConfigureAwait(false)).TargetFmr;


        var person = new Person
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            NormalizedName = normalized,
            DeclaredGender = declared.Gender,
            DeclaredEthnicity = declared.Ethnicity,
            DeclaredAgeBand = declared.AgeBand,
            EstimatedGender = face.Attributes?.Gender,
            EstimatedEthnicity = face.Attributes?.Ethnicity,
            EstimatedAgeBand = face.Attributes?.AgeBand,
            BalanceJson = PersonRecords.BalanceToJson(balance),
            BackboneId = analyzer.Backbone.Id,
            BackboneHash = analyzer.Backbone.Sha256Hex,
            PopulationPackId = PackId(population),
            TargetFmr = targetFmr,
            Seed = seed,
            EnrolledUtc = time.GetUtcNow(),
            ConcurrencyStamp = Guid.NewGuid().ToString("N"),
        };
        ITemplate template;
        TrainingSummary? training = null;
        if (engine.Settings.TemplateKind == "vector")
        {
            // The baseline stores the descriptor itself: nothing to train.
            var vector = new VectorTemplate(analyzer.Backbone, face.Descriptor);
            template = vector;
            person.TemplateKind = "vector";
            person.TemplateBytes = vector.StorageBytes;
            person.TemplateBlob = protector.Protect(person.Id, PersonRecords.VectorTemplatePurpose, System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.UnitVector));
        }
        else
        {
            progress?.Report("training the model-template");
            var model = await Task.Run(() => Train(face.Descriptor, population, balance, seed, analyzer.Backbone), ct).ConfigureAwait(false);
            template = model;
            training = model.Training;
            var bytes = model.ToBytes();
            person.TemplateKind = "model";
            person.TemplateBytes = bytes.Length;
            person.TemplateBlob = protector.Protect(person.Id, PersonRecords.ModelTemplatePurpose, bytes);
        }
        progress?.Report("calibrating the threshold");
        var threshold = person.Threshold = Calibrate(template, population, seed, targetFmr);

        progress?.Report("saving");
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            db.People.Add(person);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, AuditEventCode.PersonEnrolled, person.Id,
                $"{name}: {person.TemplateKind} template, {person.TemplateBytes} bytes, threshold {threshold:0.####}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        index.Invalidate();
        return new EnrollmentResult(PersonRecords.ToSummary(person), training, started.Elapsed);
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

    private ModelTemplate Train(float[] reference, Core.Population.Packs.PopulationPack population, Balance balance, long seed, BackboneIdentity backbone)
    {
        var sample = new TrainingSetSampler(population).Sample(reference, balance, unchecked((int)seed));
        var set = Core.Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives);
        var entries = balance.Negatives.Keys.Union(balance.Variation.Keys)
            .Select(g => new BalanceEntry(g.Id, (float)balance.Negatives.GetValueOrDefault(g), (float)balance.Variation.GetValueOrDefault(g)))
            .ToArray();
        return engine.CreateTrainer().Train(set, seed, new ModelTemplateProvenance(backbone, PackId(population), entries));
    }

    private float Calibrate(ITemplate template, Core.Population.Packs.PopulationPack population, long seed, double targetFmr) =>
        ThresholdCalibration.ForTemplate(template, Impostors(population, seed), targetFmr);

    /// <summary>Synthetic impostors from every negative group, drawn with a seed apart from training's.</summary>
    private List<float[]> Impostors(Core.Population.Packs.PopulationPack population, long seed)
    {
        var sampler = new TrainingSetSampler(population);
        var impostors = new List<float[]>();
        var k = 0;
        foreach (var group in population.Negatives.Keys)
        {
            impostors.AddRange(sampler.SampleImpostors(group, engine.Settings.CalibrationImpostorsPerGroup, unchecked((int)(seed * 31) + 7919 + k++)));
        }
        return impostors;
    }

    internal static string PackId(Core.Population.Packs.PopulationPack pack) =>
        $"{pack.BackboneId}/{pack.Provenance.CreatedUtc:yyyyMMddHHmmss}";

    private static DeclaredAttributes ValidateDeclared(DeclaredAttributes? declared)
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
