using System.Text.Json.Serialization;

namespace Mote.Core.Templates;

/// <summary>
/// The two kinds of stored per-person templates, compared side by side. Wherever a kind is written down it reads
/// "model" or "vector" (<see cref="TemplateKindNames"/>); JSON too (<see cref="TemplateKindJsonConverter"/>).
/// </summary>
[JsonConverter(typeof(TemplateKindJsonConverter))]
public enum TemplateKind
{
    /// <summary>A MOTE model-template: a small trained classifier; score = sigmoid(logit).</summary>
    Model,

    /// <summary>The baseline: the L2-normalised descriptor itself; score = cosine similarity.</summary>
    Vector,
}

/// <summary>
/// A stored per-person template that scores probe descriptors (1:1). Implementations are immutable and
/// thread-safe. Higher scores mean "more likely the same person"; decisions compare with a threshold
/// calibrated for the same kind of template (<see cref="ThresholdCalibration"/>).
/// </summary>
public interface ITemplate
{
    /// <summary>Which kind of template this is.</summary>
    TemplateKind Kind { get; }

    /// <summary>The backbone whose descriptors this template scores.</summary>
    BackboneIdentity Backbone { get; }

    /// <summary>The descriptor dimension d.</summary>
    int Dimension { get; }

    /// <summary>Bytes this template occupies when stored.</summary>
    int StorageBytes { get; }

    /// <summary>Scores one probe descriptor of length <see cref="Dimension"/>; mutates nothing.</summary>
    /// <exception cref="ArgumentException">The probe's length is not <see cref="Dimension"/>.</exception>
    float Score(ReadOnlySpan<float> probe);
}
