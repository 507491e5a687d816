using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Backbones;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Fairness;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Reports;

/// <summary>What an export produced.</summary>
/// <param name="Format">"pdf" or "json".</param>
/// <param name="ContentSha256">SHA-256 (hex) of the report content: the exact bytes of the JSON export's <c>report</c> object, also printed in the PDF.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Duration">Time to gather and render.</param>
public sealed record ReportExportResult(string Format, string ContentSha256, long Bytes, TimeSpan Duration);

/// <summary>
/// Exports the privacy and compliance report as PDF (for people) or JSON (for machines; schema
/// <see cref="ComplianceReport.SchemaId"/>, docs/compliance-report.schema.json). Needs
/// <see cref="Permission.ExportReports"/>; writes exactly one <see cref="AuditEventCode.ReportExported"/> event
/// (format and content hash), appended after the report is fully rendered and before any byte reaches
/// <c>output</c>, so there is never an export without its event. Nothing in the report is about one person. Gallery risk
/// is assessed (<see cref="AssessGalleryRisk"/>, saved limit) only when this process has the model pack: the portal
/// provisions it at start-up, the CLI with <c>--check-models</c>; otherwise the section says it was not assessed.
/// </summary>
public sealed class ExportComplianceReport(
    MoteDbContext db, ReadModelPackStatus models, GallerySettingsStore settings, EngineSettings engine,
    AuditVerifier verifier, AuditTrail audit, AssessGalleryRisk risk, TimeProvider time)
{
    /// <summary>The command that records an evaluation run, quoted when none is recorded yet.</summary>
    public const string EvaluateCommand = "mote evaluate";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // An evaluation may hold a NaN (e.g. a ratio over an empty group): written as "NaN", not a failed export.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <exception cref="GalleryException">Unknown format, or (PDF) the fonts are missing — in words.</exception>
    public async Task<ReportExportResult> ExecuteAsync(Actor actor, string format, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(output);
        actor.Demand(Permission.ExportReports);
        format = (format ?? "").Trim().ToLowerInvariant();
        if (format is not ("pdf" or "json"))
        {
            throw new GalleryException($"Unknown report format '{format}': use pdf or json.");
        }
        var started = Stopwatch.GetTimestamp();
        var report = await BuildAsync(actor, ct).ConfigureAwait(false);
        var content = JsonSerializer.SerializeToUtf8Bytes(report, Json);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var bytes = format == "json" ? Envelope(content, sha) : CompliancePdf.Render(report, sha);
        await audit.AppendAsync(actor, AuditEventCode.ReportExported, null, $"{format}; sha256 {sha}", ct).ConfigureAwait(false);
        await output.WriteAsync(bytes, ct).ConfigureAwait(false);
        return new ReportExportResult(format, sha, bytes.Length, Stopwatch.GetElapsedTime(started));
    }

    private static byte[] Envelope(byte[] content, string sha)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("schema", ComplianceReport.SchemaId);
            json.WriteString("contentSha256", sha);
            json.WritePropertyName("report");
            // The exact bytes hashed: a reader re-hashes the raw text of "report" (JsonElement.GetRawText()).
            json.WriteRawValue(content, skipInputValidation: true);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    internal async Task<ComplianceReport> BuildAsync(Actor actor, CancellationToken ct)
    {
        var view = await settings.ReadAsync(ct).ConfigureAwait(false);
        var status = await models.ReadAsync(ct).ConfigureAwait(false);
        var galleryRisk = await GalleryRiskAsync(actor, view, status.State.Status == ModelPackStatus.Ready, ct).ConfigureAwait(false);
        var people = await db.People.AsNoTracking()
            .Select(p => new
            {
                p.TemplateKind, p.Threshold, p.BackboneId,
                Gender = p.DeclaredGender ?? p.EstimatedGender,
                Ethnicity = p.DeclaredEthnicity ?? p.EstimatedEthnicity,
                AgeBand = p.DeclaredAgeBand ?? p.EstimatedAgeBand,
                Declared = p.DeclaredGender != null || p.DeclaredEthnicity != null || p.DeclaredAgeBand != null,
                Estimated = p.EstimatedGender != null || p.EstimatedEthnicity != null || p.EstimatedAgeBand != null,
            })
            .ToListAsync(ct).ConfigureAwait(false);
        var images = await db.PersonImages.AsNoTracking().GroupBy(i => i.Kind).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct).ConfigureAwait(false);
        var probes = await db.DecisionProbeImages.CountAsync(ct).ConfigureAwait(false);
        var explanationFaces = await db.DecisionExplanations.CountAsync(x => x.CropBlob != null, ct).ConfigureAwait(false);
        var decisions = await db.Decisions.CountAsync(ct).ConfigureAwait(false);
        var erased = (int)AuditEventCode.PersonErased;
        var erasures = await db.AuditEvents.CountAsync(e => e.Code == erased, ct).ConfigureAwait(false);
        // SQLite cannot order by DateTimeOffset: take the highest sequence number, which is the latest append.
        var lastErasure = await db.AuditEvents.Where(e => e.Code == erased).OrderByDescending(e => e.Id)
            .Select(e => (DateTimeOffset?)e.OccurredUtc).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var chain = await verifier.VerifyAsync(Actor.System, ct).ConfigureAwait(false);

        var thresholds = people.Select(p => (double)p.Threshold).Order().ToArray();
        var population = status.Population;
        var system = new SystemSection(
            status.State.Status.ToString(),
            population.BackboneId,
            population.BackboneManifestHash,
            engine.TemplateKind.ReportName(),
            view.TargetFmr,
            view.TargetFmrIsDefault,
            status.Models.Select(m => new ModelEntry(m.Id, m.Source, m.OnnxSha256, m.PackageLicense, m.WeightsLicense, m.LicenseNotes)).ToArray(),
            new PopulationEntry(population.BackboneId, population.DensityKind, population.Dimension, population.ContainsRawVectors,
                population.Provenance?.CreatedUtc, population.Provenance?.Seed,
                population.Provenance?.Datasets.Select(d => $"{d.Name} ({d.Descriptors} descriptors)").ToArray() ?? [],
                population.Provenance?.CommandLine, population.Error));
        var gallery = new GallerySection(
            people.Count,
            Counts(people.Select(p => p.TemplateKind.ReportName())),
            Counts(people.Select(p => p.Gender)),
            Counts(people.Select(p => p.Ethnicity)),
            Counts(people.Select(p => p.AgeBand)),
            people.Count(p => p.Declared),
            people.Count(p => !p.Declared && p.Estimated),
            people.Count(p => !p.Declared && !p.Estimated),
            thresholds.Length == 0 ? null : thresholds[thresholds.Length / 2],
            galleryRisk);
        var latest = await LatestEvaluationAsync(ct).ConfigureAwait(false);
        var evaluation = latest is null
            ? new EvaluationSection(false,
                "No evaluation run recorded yet: accuracy, fairness (per-group FMR/FNMR with confidence intervals) and the attribute-inference attack results appear here once one is.",
                EvaluateCommand, null)
            : new EvaluationSection(true,
                $"Latest of the recorded evaluation runs: {latest.RunId}, finished {latest.FinishedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC on {latest.Dataset}.",
                latest.Command ?? EvaluateCommand, latest);
        var attacks = latest?.AttributeInference ?? [];
        var privacy = new PrivacySection(
            [
                "Per person: name, declared and estimated gender/ethnicity/age band, the balance, threshold and seed, and the encrypted template (a trained model-template, or a vector for the baseline).",
                "No enrollment photo unless retention keeps one (an encrypted thumbnail, and optionally the aligned reference face).",
                "Per decision: who, when, the score and outcome; the probe image only when 'keep probe images' is on (encrypted).",
                string.Create(CultureInfo.InvariantCulture, $"Per explanation: the maps and figures, and the aligned probe face (150 x 150, encrypted) for {view.ExplanationFaceDays} days (0 = not kept)."),
                "The audit trail: chained events; payloads that may hold personal data are kept apart and deleted on erasure.",
            ],
            "AES-256-GCM per blob, key kept in the secrets directory outside the database; the owner's id and the purpose are bound as associated data.",
            view.ReferenceRetention.ToString(),
            view.KeepProbeImages,
            images.GetValueOrDefault(PersonImage.ThumbnailKind),
            images.GetValueOrDefault(PersonImage.ReferenceKind),
            probes,
            decisions,
            erasures,
            lastErasure,
            attacks.Count > 0
                ? "Attribute-inference attacks (latest evaluation): " + string.Join("; ", attacks.Select(a => string.Create(CultureInfo.InvariantCulture,
                    $"{a.Attribute} from {a.Source}: accuracy {a.Accuracy:0.000} [{a.AccuracyLow:0.000}, {a.AccuracyHigh:0.000}] vs chance {a.Chance:0.000} (n={a.Samples})"))) + "."
                : latest is null
                    ? "Not measured yet: no evaluation run is recorded (the attribute-inference attacks run as part of '" + EvaluateCommand + "')."
                    : $"Not measured yet: the latest evaluation run ({latest.RunId}) ran without the attribute-inference attacks ('{EvaluateCommand}' runs them unless told --no-privacy).",
            view.ExplanationFaceDays,
            explanationFaces);
        var audits = new AuditSection(chain.Verified, chain.VerifiedUpTo, chain.RowCount, chain.FirstBadSequence, chain.Summary, chain.CheckedUtc);
        var iso = new[]
        {
            new Iso24745Heading("Confidentiality",
            [
                $"Templates and images are encrypted at rest: {Sentence(privacy.Encryption)}",
                $"Reference retention: {privacy.ReferenceRetention}; probe images kept: {(privacy.KeepProbeImages ? "yes" : "no")}; explanation faces kept {privacy.ExplanationFaceDays} days.",
                "Every page and use case checks its permission (roles Admin, Operator, Auditor); API keys are stored hashed.",
            ]),
            new Iso24745Heading("Integrity",
            [
                $"Audit chain: {Sentence(chain.Summary)}",
                "Each template blob carries an AES-GCM tag; a model-template also carries a SHA-256 checksum of its format.",
                "Model files are checked against pinned SHA-512 (package) and SHA-256 (ONNX) hashes.",
            ]),
            new Iso24745Heading("Renewability",
            [
                "A template is renewed by retraining with a new seed or balance (or re-enrolling); the old one is overwritten and cannot be recovered from the new.",
                $"Erasures so far: {erasures}; erasure deletes the template, images and personal audit payloads while the chain still verifies.",
            ]),
            new Iso24745Heading("Irreversibility",
            [
                "A MOTE template stores the weights of a small classifier trained on the reference plus synthetic samples, not the face descriptor.",
                privacy.AttributeInference,
            ]),
            new Iso24745Heading("Unlinkability",
            [
                "Each person's template is trained with their own seed and synthetic negatives, so two enrollments of one face give different templates.",
                attacks.Count == 0
                    ? "No measured evidence yet: " + (latest is null ? "no evaluation run is recorded." : $"the latest evaluation run ({latest.RunId}) has no attribute-inference results.")
                    : string.Create(CultureInfo.InvariantCulture, $"Measured in evaluation run {latest!.RunId}: {attacks.Count} attribute-inference attack {(attacks.Count == 1 ? "result" : "results")}, listed under privacy evidence."),
            ]),
        };
        var dpia = new DpiaInputs(
            "1:1 verification and 1:N identification of enrolled people by face, with per-person balanced model-templates.",
            ["Biometric templates (special category, GDPR Art. 9)", "Name", "Declared or estimated gender, ethnicity and age band", "Decision records", "Audit trail"],
            people.Count,
            $"Reference photos: {privacy.ReferenceRetention}; probe images: {(privacy.KeepProbeImages ? "kept" : "not kept")}; explanation faces: {privacy.ExplanationFaceDays} days; people and their data are kept until erased.",
            ["Portal users by role (Admin, Operator, Auditor)", "API clients holding a key"],
            ["False matches falling unevenly across demographic groups", "Inference of attributes from templates", "Unauthorised access to templates"],
            ["Per-person balance and thresholds calibrated to a target FMR", "Encryption at rest bound to the owner", "Tamper-evident audit trail", "Erasure on request"]);
        return new ComplianceReport(time.GetUtcNow(), actor.Name, system, gallery, evaluation, privacy, audits, iso, dpia);
    }

    /// <summary>
    /// Gallery risk through <see cref="AssessGalleryRisk"/> at the saved limit and default impostor count (the Fairness page's
    /// defaults, so both agree and its cache serves both), summarised as counts and the worst groups.
    /// </summary>
    private async Task<GalleryRiskFigures> GalleryRiskAsync(Actor actor, GallerySettingsView view, bool modelsReady, CancellationToken ct)
    {
        var limit = view.RiskLimitMultiple * view.TargetFmr;
        GalleryRiskFigures NotAssessed(string note) => new(false, note, view.TargetFmr, view.RiskLimitMultiple, view.RiskLimitIsDefault, limit,
            GalleryRiskRequest.DefaultImpostorsPerGroup, 0, 0, 0, []);
        if (!await db.People.AnyAsync(ct).ConfigureAwait(false))
        {
            return NotAssessed("Nobody is enrolled, so there is no gallery risk to assess.");
        }
        if (!modelsReady)
        {
            return NotAssessed("Not assessed: this process has not loaded the model pack (the portal loads it at start-up; from the terminal, mote report export --check-models).");
        }
        GalleryRiskReport assessed;
        try
        {
            // Every role that may export reports (Admin, Auditor, the terminal) may view fairness.
            assessed = await risk.ExecuteAsync(actor, new GalleryRiskRequest(), null, ct).ConfigureAwait(false);
        }
        catch (GalleryException e)
        {
            // e.g. a population pack built for another backbone: the report still exports, and says why.
            return NotAssessed($"Not assessed: {e.Message}");
        }
        var scored = assessed.People.Where(p => p.Error is null).ToArray();
        var worst = assessed.Groups
            .Select(g => (Group: g, Rates: scored.SelectMany(p => p.Groups.Where(r => r.Group == g)).Select(r => r.Fmr).ToArray()))
            .Where(g => g.Rates.Length > 0 && g.Rates.Max() > 0)
            .Select(g => new RiskGroupFigures(g.Group, g.Rates.Count(r => r > assessed.Limit), g.Rates.Average(), g.Rates.Max()))
            .OrderByDescending(g => g.PeopleAboveLimit).ThenByDescending(g => g.MaxFmr).ThenBy(g => g.Group, StringComparer.Ordinal)
            .Take(GalleryRiskFigures.WorstGroupCount)
            .ToArray();
        var flagged = scored.Count(p => p.Flagged);
        var notScored = assessed.People.Count - scored.Length;
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{flagged} of {scored.Length} assessed people accept more than {Core.Evaluation.ReadableNumber.Percent(assessed.Limit)} ({assessed.LimitMultiple:0.##}× the target FMR) of some group's synthetic impostors at their own threshold.")
            + (notScored == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" {notScored} could not be assessed (enrolled with another backbone, or a damaged template)."));
        return new GalleryRiskFigures(true, note, assessed.TargetFmr, assessed.LimitMultiple, view.RiskLimitIsDefault, assessed.Limit,
            assessed.ImpostorsPerGroup, scored.Length, notScored, flagged, worst);
    }

    /// <summary>The latest recorded evaluation run's figures, or null. SQLite cannot order by DateTimeOffset: ids and times are read, then the report of the latest.</summary>
    private async Task<EvaluationFigures?> LatestEvaluationAsync(CancellationToken ct)
    {
        var runs = await db.EvaluationRuns.AsNoTracking().Select(r => new { r.Id, r.FinishedUtc }).ToListAsync(ct).ConfigureAwait(false);
        var latest = runs.OrderByDescending(r => r.FinishedUtc).ThenBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault();
        if (latest is null)
        {
            return null;
        }
        var json = await db.EvaluationRuns.AsNoTracking().Where(r => r.Id == latest.Id).Select(r => r.ReportJson).SingleAsync(ct).ConfigureAwait(false);
        Core.Evaluation.EvaluationReport report;
        try
        {
            report = Core.Evaluation.EvaluationReportWriter.FromJson(json);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new GalleryException($"The report of evaluation run '{latest.Id}' cannot be read: {e.Message}");
        }
        var s = report.Settings;
        return new EvaluationFigures(
            latest.Id, latest.FinishedUtc, s.Dataset, s.Backbone, s.PopulationPack, s.Seed, report.Data.Enrolled,
            report.Data.GenuinePairs, report.Data.ImpostorPairs, s.TargetFmr, s.Command, s.Commit,
            report.Recognition.Select(k => new KindFigures(k.Kind, k.RocAuc, k.Eer.Fmr, k.AtFmr1e3?.Fmr, k.AtFmr1e3?.Fnmr, k.ScoreUnit, Det(k.Det))).ToArray(),
            report.Fairness.Select(f => new FairnessFigures(f.Kind, f.Attribute, f.Fdr, f.Garbe, f.FmrMaxToGeometricMean, f.FnmrMaxToGeometricMean,
                f.Groups.Select(g => new GroupFigures(g.Group, g.Identities, g.Fmr.Value, g.Fmr.Low, g.Fmr.High, g.Fnmr.Value, g.Fnmr.Low, g.Fnmr.High, g.Warning, Det(g.Det))).ToArray())).ToArray(),
            report.Privacy.Select(a => new AttackFigures(a.Attribute, a.Source, a.Samples, a.Accuracy, a.AccuracyLow, a.AccuracyHigh, a.Chance)).ToArray(),
            report.Warnings.ToArray(),
            report.Sweep.Select(w => new SweepFigures(w.FemaleShare, w.Identities,
                w.ByGender.Select(g => new SweepRates(g.Group, g.Fmr.Value, g.Fmr.Low, g.Fmr.High, g.Fnmr.Value, g.Fnmr.Low, g.Fnmr.High)).ToArray())).ToArray(),
            report.Distributions.Select(h => new ScoreDistribution(h.Kind,
                report.Recognition.FirstOrDefault(k => k.Kind == h.Kind)?.ScoreUnit ?? "score",
                h.Min, h.Max, report.Recognition.FirstOrDefault(k => k.Kind == h.Kind)?.AtFmr1e3?.Threshold, h.Genuine.ToArray(), h.Impostor.ToArray())).ToArray(),
            report.Impostors is { } imp
                ? new ImpostorFigures(imp.Dataset, imp.Templates, imp.Probes, imp.Results.Select(f => new ImpostorSeries(f.Kind, f.Thresholds, f.Attribute,
                    f.FmrMaxToGeometricMean, f.FmrGini,
                    f.Groups.Select(g => new ImpostorGroupFigures(g.Group, g.Templates, g.ImpostorPairs, g.Fmr.Value, g.Fmr.Low, g.Fmr.High, g.Warning)).ToArray())).ToArray())
                : null,
            report.CalibratedThresholds?.Select(c => new ThresholdPromiseFigures(c.Kind, c.Policy, c.TargetFmr, c.Fmr, c.WorstGroupRatio, c.Fnmr, c.Holds, c.CalibrationSource)).ToArray() ?? []);
    }

    /// <summary>The text as one sentence: exactly one full stop at the end, whatever the source ended with.</summary>
    internal static string Sentence(string text) => text.TrimEnd().TrimEnd('.') + ".";

    // The evaluation keeps at most 60 points per curve (ScoreSet.DetCurve), so the report carries them all: about 2 KB a curve.
    private static DetPoint[] Det(IReadOnlyList<Core.Evaluation.ErrorPoint> points) => points.Select(p => new DetPoint(p.Fmr, p.Fnmr)).ToArray();

    private static GroupCount[] Counts(IEnumerable<string?> values) =>
        values.GroupBy(v => string.IsNullOrWhiteSpace(v) ? "not known" : v, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Count() < GallerySection.MinimumCount ? new GroupCount(g.Key, null, true) : new GroupCount(g.Key, g.Count(), false))
            .ToArray();
}
