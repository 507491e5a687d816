using System.Diagnostics;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// Phase 8: storage per person, enrollment time (the model-templates' from the enroll phase), 1:1 verification and
/// 1:N identification time, per kind. Times come from <see cref="Stopwatch"/>, not the run's clock, so they differ
/// between otherwise identical runs.
/// </summary>
internal static class CostsPhase
{
    public static List<KindCosts> Run(Enrollment enrollment, ScoreMatrices scores)
    {
        var (models, vectors, enrollMs) = (enrollment.Models, enrollment.Vectors, enrollment.EnrollMs);
        var (probes, probeCount) = (scores.Probes, scores.Owners.Length);
        var d = vectors[0].Dimension;
        var sample = Math.Min(probeCount, 200);
        var probe = probes.AsSpan(0, d).ToArray();
        double Median(IEnumerable<double> values) => IdentityBootstrap.Percentile(values.Order().ToArray(), 0.5);

        double VerifyUs(ITemplate template)
        {
            var times = new double[7];
            for (var r = 0; r < times.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                for (var k = 0; k < 1000; k++)
                {
                    template.Score(probe);
                }

                times[r] = clock.Elapsed.TotalMicroseconds / 1000;
            }

            return Median(times);
        }

        double IdentifyMs(ITemplateScorer scorer)
        {
            var scores = new float[scorer.Count];
            var times = new double[Math.Min(sample, 50)];
            for (var p = 0; p < times.Length; p++)
            {
                var clock = Stopwatch.StartNew();
                scorer.ScoreBatch(probes.AsSpan(p * d, d), 1, scores);
                times[p] = clock.Elapsed.TotalMilliseconds;
            }

            return Median(times);
        }

        var modelScorer = TemplateScorers.Create(models);
        var vectorScorer = TemplateScorers.Create(vectors);
        var vectorEnroll = new double[Math.Min(vectors.Length, 1000)];
        for (var i = 0; i < vectorEnroll.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = new VectorTemplate(vectors[i].Backbone, vectors[i].UnitVector);
            vectorEnroll[i] = clock.Elapsed.TotalMilliseconds;
        }

        var sortedEnroll = enrollMs.Order().ToArray();
        var sortedVectorEnroll = vectorEnroll.Order().ToArray();
        return
        [
            new KindCosts(TemplateKind.Model.ReportName(), Median(models.Select(m => (double)m.StorageBytes)), IdentityBootstrap.Percentile(sortedEnroll, 0.5),
                IdentityBootstrap.Percentile(sortedEnroll, 0.9), VerifyUs(models[0]), IdentifyMs(modelScorer), models.Length),
            new KindCosts(TemplateKind.Vector.ReportName(), Median(vectors.Select(v => (double)v.StorageBytes)), IdentityBootstrap.Percentile(sortedVectorEnroll, 0.5),
                IdentityBootstrap.Percentile(sortedVectorEnroll, 0.9), VerifyUs(vectors[0]), IdentifyMs(vectorScorer), vectors.Length),
        ];
    }
}
