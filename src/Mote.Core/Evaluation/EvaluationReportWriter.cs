using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mote.Core.Evaluation;

/// <summary>Writes and reads <c>report.json</c> and writes <c>report.md</c> (tables for people).</summary>
public static class EvaluationReportWriter
{
    /// <summary>The JSON options of report.json: camelCase, indented, non-finite numbers as strings.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report as JSON text.</summary>
    public static string ToJson(EvaluationReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>Reads a report back; throws <see cref="JsonException"/> on malformed text and <see cref="InvalidDataException"/> on another schema version.</summary>
    public static EvaluationReport FromJson(string json)
    {
        var report = JsonSerializer.Deserialize<EvaluationReport>(json, Json) ?? throw new InvalidDataException("The report is empty.");
        if (report.SchemaVersion != EvaluationReport.CurrentSchemaVersion)
        {
            throw new InvalidDataException($"The report has schema version {report.SchemaVersion}; this version of Mote reads {EvaluationReport.CurrentSchemaVersion}.");
        }

        return report;
    }

    /// <summary>The report as Markdown tables.</summary>
    public static string ToMarkdown(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        void Line(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        var s = report.Settings;
        var d = report.Data;
        Line($"# Evaluation run {report.CreatedUtc:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        Line($"- Dataset `{s.Dataset}`: {d.Identities} identities with ≥ 2 photos (of {d.IdentitiesInFolder}); {d.Enrolled} enrolled, {d.FailedToEnroll} failed to enroll (no face); {d.Probes} probes, {d.FailedProbes} without a face.");
        Line($"- Pairs: {d.GenuinePairs:N0} genuine, {d.ImpostorPairs:N0} impostor. Gender: {string.Join(", ", d.ByGender.Select(kv => $"{kv.Key} {kv.Value}"))}.");
        Line($"- Backbone {s.Backbone} ({s.BackboneSha256[..12]}…), pack {s.PopulationPack}, seed {s.Seed}, balance {s.Balance}, {s.Positives} positives + {s.Negatives} negatives, variation scale {s.VariationScale}, MLP {s.Architecture}, ≤ {s.MaxEpochs} epochs.");
        if (s.Command is not null)
        {
            Line($"- Command: `{s.Command}`");
        }

        if (s.Commit is not null)
        {
            Line($"- Commit: `{s.Commit}`");
        }

        Line($"- Wall time {report.TotalSeconds / 60:F1} min: {string.Join(", ", report.PhaseSeconds.Select(p => $"{p.Phase} {p.Seconds:F0} s"))}.");
        md.AppendLine();
        md.AppendLine("## Recognition (global threshold on real impostor scores)");
        md.AppendLine();
        md.AppendLine("| kind | score | ROC-AUC | EER | FNMR @ FMR 1e-3 | threshold | FNMR @ FMR 1e-4 | threshold |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in report.Recognition)
        {
            Line($"| {r.Kind} | {r.ScoreUnit} | {r.RocAuc:F5} | {r.Eer.Fmr:P2} | {Rate(r.AtFmr1e3?.Fnmr)} | {Num(r.AtFmr1e3?.Threshold)} | {Rate(r.AtFmr1e4?.Fnmr)} | {Num(r.AtFmr1e4?.Threshold)} |");
        }

        if (report.PersonalThresholds is { } pt)
        {
            md.AppendLine();
            Line($"MOTE per-person thresholds calibrated on synthetic impostors ({pt.ImpostorsPerGroup} per group) at FMR {pt.TargetFmr:G}, applied to real pairs: **FMR {pt.Fmr:P3}, FNMR {pt.Fnmr:P2}**; thresholds (sigmoid) median {pt.ThresholdMedian:G3}, 5–95 % {pt.ThresholdP05:G3}…{pt.ThresholdP95:G3}; median real FMR per person {pt.RealFmrPerPersonMedian:P3}.");
        }

        if (report.CalibratedThresholds is { Count: > 0 } calibrated)
        {
            md.AppendLine();
            md.AppendLine("## Per-person thresholds from the pack's real-impostor calibration (measured on other people)");
            md.AppendLine();
            md.AppendLine("| kind | policy | real FMR (× target) | worst group (× target) | FNMR | holds (≤ 1.5× pooled, ≤ 2× worst group) | per group: FMR, FNMR |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var c in calibrated)
            {
                Line($"| {c.Kind} | {c.Policy} | {ReadableNumber.Percent(c.Fmr)} ({c.PooledRatio:F2}×) | {(c.WorstGroupRatio is { } w ? $"{w:F2}×" : "–")} | {Rate(c.Fnmr)} | {(c.Holds ? "yes" : "**no**")} | {string.Join("; ", c.Groups.Where(g => g.Warning is null).Select(g => $"{g.Group} {ReadableNumber.Interval(g.Fmr)}, {Rate(g.Fnmr.Value)}"))} |");
            }

            md.AppendLine();
            Line($"Calibrations: {string.Join("; ", calibrated.Select(c => $"{c.Kind}: {c.CalibrationSource}").Distinct())}.");
            foreach (var c in calibrated.Where(c => c.ThresholdGroups is { Count: > 0 }))
            {
                Line($"{c.Kind}, own group: thresholds read from {string.Join(", ", c.ThresholdGroups!.OrderByDescending(g => g.Value).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ({g.Value})"))} (labelled attributes, else the estimator's guess).");
            }
        }

        if (report.Variation is { } v)
        {
            md.AppendLine();
            Line($"Mean cosine to the enrollment descriptor over {v.Identities} identities: synthetic positives {v.SyntheticPositiveCosine:F3} (variation scale {v.VariationScale}), real probes {v.RealProbeCosine:F3}.");
        }

        md.AppendLine();
        md.AppendLine("## Fairness at the global threshold (95% bootstrap intervals over identities)");
        md.AppendLine();
        md.AppendLine("| kind | attribute | group | identities | genuine | impostor (same group) | FMR | FNMR | note |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var f in report.Fairness)
        {
            foreach (var g in f.Groups)
            {
                Line($"| {f.Kind} | {f.Attribute} | {g.Group} | {g.Identities} | {g.GenuinePairs:N0} | {g.ImpostorPairs:N0} | {ReadableNumber.Interval(g.Fmr)} | {ReadableNumber.Interval(g.Fnmr)} | {g.Warning} |");
            }
        }

        md.AppendLine();
        md.AppendLine("| kind | attribute | FDR (α 0.5) | GARBE (α 0.5) | FMR max/geo-mean | FNMR max/geo-mean |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var f in report.Fairness)
        {
            Line($"| {f.Kind} | {f.Attribute} | {Num(f.Fdr)} | {Num(f.Garbe)} | {Num(f.FmrMaxToGeometricMean)} | {Num(f.FnmrMaxToGeometricMean)} |");
        }

        if (report.Sweep.Count > 0)
        {
            md.AppendLine();
            Line($"## Fairness sweep (MOTE re-enrolled; {report.Sweep[0].Identities} identities, half female, seeded; threshold per setting at FMR {s.TargetFmr:G})");
            md.AppendLine();
            md.AppendLine("| female share | FNMR @ FMR 1e-3 | female FMR | male FMR | female FNMR | male FNMR | FDR | GARBE | enroll s |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var w in report.Sweep)
            {
                var f = w.ByGender.FirstOrDefault(g => g.Group == "female");
                var m = w.ByGender.FirstOrDefault(g => g.Group == "male");
                Line($"| {w.FemaleShare:0.##} | {Rate(w.AtFmr1e3?.Fnmr)} | {(f is null ? "–" : ReadableNumber.Interval(f.Fmr))} | {(m is null ? "–" : ReadableNumber.Interval(m.Fmr))} | {(f is null ? "–" : ReadableNumber.Interval(f.Fnmr))} | {(m is null ? "–" : ReadableNumber.Interval(m.Fnmr))} | {Num(w.Fdr)} | {Num(w.Garbe)} | {w.EnrollSeconds:F0} |");
            }
        }

        if (report.Privacy.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Privacy: attribute inference (logistic regression, class-balanced, 5-fold CV)");
            md.AppendLine();
            md.AppendLine("| attribute | attacker reads | samples | accuracy | 95% CI | chance |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var a in report.Privacy)
            {
                Line($"| {a.Attribute} | {a.Source} | {a.Samples} ({string.Join("/", a.Classes)}) | {a.Accuracy:F3} | {a.AccuracyLow:F3}–{a.AccuracyHigh:F3} | {a.Chance:F3} |");
            }
        }

        if (report.Impostors is { } imp)
        {
            md.AppendLine();
            Line($"## Impostor-only analysis on `{imp.Dataset}` (same-group impostor pairs; 95% bootstrap intervals over templates)");
            md.AppendLine();
            Line($"{imp.Photos:N0} labelled photos, {imp.FailedToDetect} without a face; {imp.Templates} templates (≤ {imp.TemplatesPerCell} per gender × ethnicity × age-band cell, seeded), {imp.Probes:N0} probes. Every pair counts as an impostor pair (no identity labels), so the rates are upper bounds. `global`: the kind's threshold from the genuine dataset above; `personal`: each model-template's own synthetic-impostor threshold, as enrollment sets it.");
            md.AppendLine();
            md.AppendLine("| kind | thresholds | attribute | FMR max/geo-mean | FMR Gini | FMR max/min |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var f in imp.Results)
            {
                Line($"| {f.Kind} | {f.Thresholds} | {f.Attribute} | {Num(f.FmrMaxToGeometricMean)} | {Num(f.FmrGini)} | {Num(f.FmrMaxToMin)} |");
            }

            md.AppendLine();
            md.AppendLine("| kind | thresholds | attribute | group | templates | probes | pairs | FMR | note |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var f in imp.Results)
            {
                foreach (var g in f.Groups)
                {
                    Line($"| {f.Kind} | {f.Thresholds} | {f.Attribute} | {g.Group} | {g.Templates} | {g.Probes:N0} | {g.ImpostorPairs:N0} | {ReadableNumber.Interval(g.Fmr)} | {g.Warning} |");
                }
            }
        }

        md.AppendLine();
        md.AppendLine("## Costs");
        md.AppendLine();
        md.AppendLine("| kind | bytes/person | enroll median (p90) | 1:1 score | 1:N per probe | gallery |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var c in report.Costs)
        {
            Line($"| {c.Kind} | {c.BytesPerPerson:N0} | {c.EnrollMsMedian:F2} ms ({c.EnrollMsP90:F2}) | {c.VerifyUsMedian:F2} µs | {c.IdentifyMsMedian:F3} ms | {c.GallerySize:N0} |");
        }

        if (report.Warnings.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Warnings");
            md.AppendLine();
            foreach (var w in report.Warnings)
            {
                md.Append("- ").AppendLine(w);
            }
        }

        return md.ToString();
    }

    private static string Rate(double? value) => value is { } v ? v.ToString("P2", CultureInfo.InvariantCulture) : "–";

    private static string Num(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";

}
