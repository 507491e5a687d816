using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>What enrollment produced: the identities whose first photo gave a face, and their two kinds of template.</summary>
/// <param name="Identities">The enrolled identities, in dataset order (template index = position).</param>
/// <param name="FailedToEnroll">Identities whose enrollment photo gave no face.</param>
/// <param name="References">Each enrolled identity's enrollment descriptor.</param>
/// <param name="Vectors">The vector templates.</param>
/// <param name="Models">The model-templates.</param>
/// <param name="Balance">The balance every model-template was trained with (equal over the pack's groups).</param>
/// <param name="EnrollMs">Each model-template's training time (Stopwatch, so not reproducible).</param>
internal sealed record Enrollment(
    EvaluationIdentity[] Identities, int FailedToEnroll, float[][] References, VectorTemplate[] Vectors, ModelTemplate[] Models,
    Balance Balance, double[] EnrollMs)
{
    /// <summary>Each template's labelled gender (null: unlabelled).</summary>
    public string?[] Genders { get; } = Identities.Select(i => i.Gender).ToArray();

    /// <summary>Each template's labelled ethnicity (null: unlabelled).</summary>
    public string?[] Ethnicities { get; } = Identities.Select(i => i.Ethnicity).ToArray();
}

/// <summary>Phase 2: every identity with a face in its first photo (sorted by name) enrolls it as a model-template and a vector template.</summary>
internal static class EnrollPhase
{
    /// <summary>Enrolls; throws <see cref="ArgumentException"/> when fewer than 2 identities can be enrolled.</summary>
    public static Enrollment Run(EvaluationContext context, EvaluationDataset data, IReadOnlyDictionary<string, float[]?> descriptors)
    {
        var enrolled = data.Identities.Where(i => descriptors[i.Photos[0]] is not null).ToArray();
        var failedToEnroll = data.Identities.Count - enrolled.Length;
        if (enrolled.Length < 2)
        {
            throw new ArgumentException($"Only {enrolled.Length} enrollment photo(s) gave a face; an evaluation needs at least 2.");
        }

        var references = enrolled.Select(i => descriptors[i.Photos[0]]!).ToArray();
        var vectors = references.Select(r => new VectorTemplate(context.Backbone, r)).ToArray();
        var balance = Balance.EqualOver(context.Pack);
        var enrollMs = new double[enrolled.Length];
        var models = context.Enroll(references, balance, context.Options.Trainer, context.Options.Seed, enrollMs, "enroll");
        return new Enrollment(enrolled, failedToEnroll, references, vectors, models, balance, enrollMs);
    }
}
