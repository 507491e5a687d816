using Mote.Core.Explain;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Quality;
using Mote.Core.Templates;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Gallery.Decisions;

/// <summary>One surveyed decision: a person enrolled from one photo, probed with another.</summary>
/// <param name="Identity">The enrolled identity.</param>
/// <param name="Probe">Path of the probe photo.</param>
/// <param name="Genuine">True when the probe shows the enrolled person.</param>
/// <param name="Score">The template's score of the probe.</param>
/// <param name="Faithfulness">One result per map the product computed for it (occlusion first).</param>
/// <param name="Threshold">The person's threshold, calibrated as enrollment calibrates it.</param>
/// <param name="Accepted">The outcome as verification decides it (score at or above the threshold).</param>
/// <param name="OcclusionVariant">The occlusion variant the explanation computed for that outcome.</param>
/// <param name="OcclusionMs">Time of the occlusion map.</param>
/// <param name="TotalMs">Time of the whole explanation.</param>
public sealed record SurveyedDecision(string Identity, string Probe, bool Genuine, float Score, IReadOnlyList<FaithfulnessResult> Faithfulness,
    float Threshold, bool Accepted, string OcclusionVariant, double OcclusionMs, double TotalMs);

/// <summary>How often one map method beat the random map, over a set of decisions.</summary>
/// <param name="Method">The map's method.</param>
/// <param name="Decisions">Decisions with this map.</param>
/// <param name="DeletionWins">Decisions whose deletion AUC was below the random map's.</param>
/// <param name="InsertionWins">Decisions whose insertion AUC was above the random map's.</param>
/// <param name="BothWins">Decisions that won on both curves (<see cref="FaithfulnessResult.BeatsRandom"/>).</param>
public sealed record MethodFaithfulness(string Method, int Decisions, int DeletionWins, int InsertionWins, int BothWins)
{
    /// <summary>Share of decisions won on both curves; NaN without decisions.</summary>
    public double BothRate => Decisions == 0 ? double.NaN : BothWins / (double)Decisions;
}

/// <summary>What <see cref="FaithfulnessSurvey"/> measured.</summary>
/// <param name="Dataset">Dataset folder.</param>
/// <param name="Backbone">The backbone the engine described with (the configured one).</param>
/// <param name="Trainer">The trainer signature the templates were trained with (the engine's, as enrollment trains).</param>
/// <param name="Seed">Seed of the identity draw and of the random maps.</param>
/// <param name="Skipped">Identities left out because the first photo failed the enrollment gate or a probe gave no face.</param>
/// <param name="All">Per method, over every decision.</param>
/// <param name="GenuineOnly">Per method, over genuine decisions.</param>
/// <param name="ImpostorOnly">Per method, over impostor decisions.</param>
/// <param name="Decisions">Every decision, in draw order.</param>
/// <param name="AcceptedOnly">Per method, over decisions accepted at the person's threshold.</param>
/// <param name="RejectedOnly">Per method, over decisions rejected at the person's threshold.</param>
/// <param name="TargetFmr">The false-match rate the thresholds were calibrated at (the engine's configured default).</param>
public sealed record FaithfulnessSurveyReport(
    string Dataset,
    string Backbone,
    string Trainer,
    int Seed,
    int Skipped,
    IReadOnlyList<MethodFaithfulness> All,
    IReadOnlyList<MethodFaithfulness> GenuineOnly,
    IReadOnlyList<MethodFaithfulness> ImpostorOnly,
    IReadOnlyList<SurveyedDecision> Decisions,
    IReadOnlyList<MethodFaithfulness> AcceptedOnly,
    IReadOnlyList<MethodFaithfulness> RejectedOnly,
    double TargetFmr);

/// <summary>
/// Measures how faithful the explanation page's maps are on real faces (issue 16): for identities drawn from a dataset
/// (seeded, each with at least two photos), a template is trained from the first photo exactly as enrollment trains one
/// (the engine's backbone, population pack, trainer and equal balance) and its threshold calibrated as enrollment calibrates
/// it (the engine's threshold policy at its default target FMR, for the group of the attributes estimated on that photo that
/// clear the configured cutoffs), and two probes are decided as verification decides them (score at or above that
/// threshold) and explained as the product explains them (<see cref="IProbeExplainer"/> with the outcome: the occlusion
/// variant the outcome picks, and Grad-CAM++ where the backbone has it, each with its deletion and insertion curves against
/// seeded random maps): the identity's second photo (genuine) and the next drawn identity's second photo (impostor).
/// Nothing is stored: no person, decision or audit event.
/// </summary>
public sealed class FaithfulnessSurvey(GalleryEngine engine, AttributeConfidence cutoffs)
{
    /// <summary>Runs the survey.</summary>
    /// <param name="dataset">Identities and photos (<c>images/&lt;identity&gt;/*.jpg</c>).</param>
    /// <param name="identities">How many identities to enroll (two decisions each).</param>
    /// <param name="seed">Seed of the draw, the trainings and the random maps.</param>
    /// <param name="progress">Called with the number of identities done.</param>
    /// <param name="ct">Cancels between identities.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="identities"/> below 2.</exception>
    /// <exception cref="GalleryException">The configured backbone cannot explain, has no population pack, or the dataset has too few identities.</exception>
    public async Task<FaithfulnessSurveyReport> RunAsync(BenchDataset dataset, int identities, int seed, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(identities, 2);
        var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
        if (analyzer is not IProbeExplainer explainer)
        {
            throw new GalleryException($"The analyzer of backbone '{analyzer.Backbone.Id}' cannot explain decisions.");
        }

        var population = engine.GetPopulation(analyzer.Backbone);
        var candidates = dataset.FirstAndSecondPhotos().Where(p => p.Second is not null).ToArray();
        if (candidates.Length < 2)
        {
            throw new GalleryException($"Dataset '{dataset.Root}' has {candidates.Length} identities with two photos; at least 2 are needed.");
        }

        new Random(seed).Shuffle(candidates);
        var drawn = candidates.Take(identities).ToArray();
        var balance = PersonTemplateBuilder.ResolveBalance(population, null);
        var decisions = new List<SurveyedDecision>();
        var skipped = 0;
        for (var i = 0; i < drawn.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (identity, first, second) = drawn[i];
            var stranger = drawn[(i + 1) % drawn.Length].Second!;
            var reference = LargestFace(analyzer, first, QualityPurpose.Enrollment, ct);
            // As enrollment: a first photo the enrollment gate refuses enrolls nobody.
            if (reference is not { Quality.IsAccepted: true } || LargestFace(analyzer, second!, QualityPurpose.Detection, ct) is null || LargestFace(analyzer, stranger, QualityPurpose.Detection, ct) is null)
            {
                skipped++;
                continue;
            }

            var built = await PersonTemplateBuilder.BuildAsync(engine, reference.Descriptor, population, balance, seed + i, analyzer.Backbone, ct).ConfigureAwait(false);
            // As enrollment: the group of the confident estimates (no declared attributes here), the training seed.
            var group = PersonGroup.From(cutoffs.UsableValue(reference.Attributes, EstimatedAttribute.Gender),
                cutoffs.UsableValue(reference.Attributes, EstimatedAttribute.Ethnicity), cutoffs.UsableValue(reference.Attributes, EstimatedAttribute.AgeBand));
            var threshold = PersonTemplateBuilder.Calibrate(engine, built.Template, population, seed + i, engine.Settings.TargetFmr, group);
            foreach (var (probe, genuine) in new[] { (second!, true), (stranger, false) })
            {
                var bytes = await File.ReadAllBytesAsync(probe, ct).ConfigureAwait(false);
                var face = analyzer.Analyze(bytes, QualityPurpose.Detection, ct).Faces[0];
                // As verification decides (VerifyProbe), and explained with that outcome, as the background job explains it.
                var decision = TemplateDecision.Verify(built.Template, analyzer.Backbone, face.Descriptor, threshold);
                var explained = explainer.Explain(bytes, 0, built.Template, decision.Score, decision.Threshold, _ => null, seed + decisions.Count, ct, decision.Accepted);
                if (explained is not null)
                {
                    var e = explained.Explanation;
                    decisions.Add(new SurveyedDecision(identity, probe, genuine, decision.Score, e.Faithfulness, decision.Threshold, decision.Accepted,
                        e.OcclusionVariant, e.OcclusionMs, e.TotalMs));
                }
            }

            progress?.Report(i + 1);
        }

        return new FaithfulnessSurveyReport(dataset.Root, analyzer.Backbone.Id, engine.TemplateSignatureFor(analyzer.Backbone.Id), seed, skipped,
            Tally(decisions), Tally(decisions.Where(d => d.Genuine)), Tally(decisions.Where(d => !d.Genuine)), decisions,
            Tally(decisions.Where(d => d.Accepted)), Tally(decisions.Where(d => !d.Accepted)), engine.Settings.TargetFmr);
    }

    private static AnalyzedFace? LargestFace(IFaceAnalyzer analyzer, string path, QualityPurpose purpose, CancellationToken ct)
    {
        try
        {
            return analyzer.Analyze(File.ReadAllBytes(path), purpose, ct).Faces.FirstOrDefault();
        }
        catch (Mote.Core.Imaging.ImageRejectedException)
        {
            return null;
        }
    }

    private static List<MethodFaithfulness> Tally(IEnumerable<SurveyedDecision> decisions) =>
        decisions.SelectMany(d => d.Faithfulness)
            .GroupBy(f => f.Method, StringComparer.Ordinal)
            .Select(g => new MethodFaithfulness(g.Key, g.Count(),
                g.Count(f => f.DeletionAuc < f.RandomDeletionAuc), g.Count(f => f.InsertionAuc > f.RandomInsertionAuc), g.Count(f => f.BeatsRandom)))
            .ToList();
}
