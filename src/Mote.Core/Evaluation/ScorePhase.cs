using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>Every probe scored against every template of both kinds.</summary>
/// <param name="ProbeList">Each probe's descriptor and owner (template index), in enrollment order.</param>
/// <param name="Probes">The same descriptors, row-major.</param>
/// <param name="Owners">Each probe's owner.</param>
/// <param name="FailedProbes">Probe photos without a face, plus the probe photos of identities that could not enroll.</param>
/// <param name="ModelScores">Model logits, template-major <c>[t][p]</c>.</param>
/// <param name="VectorScores">Vector cosines, template-major <c>[t][p]</c>.</param>
internal sealed record ScoreMatrices(
    List<(float[] Descriptor, int Owner)> ProbeList, float[] Probes, int[] Owners, int FailedProbes, float[][] ModelScores, float[][] VectorScores);

/// <summary>Phase 3: every photo but the enrollment one is a probe against every enrolled identity.</summary>
internal static class ScorePhase
{
    public static ScoreMatrices Run(EvaluationContext context, EvaluationDataset data, IReadOnlyDictionary<string, float[]?> descriptors, Enrollment enrollment)
    {
        var enrolled = enrollment.Identities;
        var probeList = new List<(float[] Descriptor, int Owner)>();
        var failedProbes = 0;
        for (var t = 0; t < enrolled.Length; t++)
        {
            foreach (var photo in enrolled[t].Photos.Skip(1))
            {
                if (descriptors[photo] is { } d)
                {
                    probeList.Add((d, t));
                }
                else
                {
                    failedProbes++;
                }
            }
        }

        failedProbes += data.Identities.Except(enrolled).Sum(i => i.Photos.Count - 1);
        var probes = EvaluationContext.Flatten(probeList.Select(p => p.Descriptor).ToArray(), context.Pack.Dimension);
        var owners = probeList.Select(p => p.Owner).ToArray();
        context.Progress?.Report(new EvaluationProgress("score", 0, enrollment.Models.Length));
        var modelScores = context.LogitMatrix(enrollment.Models, probes, owners.Length, "score");
        var vectorScores = context.CosineMatrix(enrollment.Vectors, probes, owners.Length);
        return new ScoreMatrices(probeList, probes, owners, failedProbes, modelScores, vectorScores);
    }
}
