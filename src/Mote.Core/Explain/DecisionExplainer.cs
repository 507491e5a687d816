using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mote.Core.Faces;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Imaging;
using Mote.Core.Templates;

namespace Mote.Core.Explain;

/// <summary>
/// A decision's explanation as stored and shown: the maps (low resolution, never the probe), their faithfulness,
/// the score context, and what it cost. Serialises to a few kilobytes of JSON (<see cref="ToJson"/>).
/// </summary>
/// <param name="Score">The decision's score.</param>
/// <param name="Threshold">The threshold it was compared with.</param>
/// <param name="Accepted">The outcome.</param>
/// <param name="Maps">Occlusion (7x7) and, for the dlib ResNet with a model-template, Grad-CAM++ at its native resolution.</param>
/// <param name="Faithfulness">One result per map, same order.</param>
/// <param name="Context">Where the score sits on the person's synthetic score distributions (null when not computed).</param>
/// <param name="OcclusionMs">Time of the occlusion map.</param>
/// <param name="GradCamMs">Time of Grad-CAM++ (0 when not computed).</param>
/// <param name="TotalMs">Time of the whole explanation.</param>
/// <param name="OcclusionVariant">How the occlusion map ranks cells (<see cref="OcclusionSensitivity.HiddenAlone"/> or
/// <see cref="OcclusionSensitivity.BothEnds"/>); explanations stored before 2026-12-07 lack it and read as hidden alone, the
/// only variant computed until then.</param>
public sealed record DecisionExplanation(
    float Score, float Threshold, bool Accepted, IReadOnlyList<ExplanationMap> Maps, IReadOnlyList<FaithfulnessResult> Faithfulness,
    ScoreContext? Context, double OcclusionMs, double GradCamMs, double TotalMs, string OcclusionVariant = OcclusionSensitivity.HiddenAlone)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>Compact JSON of this explanation.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="JsonException">Not an explanation.</exception>
    public static DecisionExplanation FromJson(string json) =>
        JsonSerializer.Deserialize<DecisionExplanation>(json, Json) ?? throw new JsonException("The explanation JSON is empty.");
}

/// <summary>
/// Computes <see cref="DecisionExplanation"/>s for one backbone: occlusion for any backbone, Grad-CAM++ when the
/// backbone is the dlib ResNet (its architecture is written in C#; <see cref="DlibResNetTorch"/>) and the
/// template is a model-template. Owns the TorchSharp net; thread-safe (Grad-CAM++ takes <see cref="DlibResNetTorch.Gate"/>).
/// </summary>
public sealed class DecisionExplainer : IDisposable
{
    private readonly IFaceDescriber _describer;
    private readonly DlibResNetTorch? _net;

    /// <summary>An explainer over <paramref name="describer"/>; <paramref name="net"/> (owned, disposed with this) enables Grad-CAM++.</summary>
    public DecisionExplainer(IFaceDescriber describer, DlibResNetTorch? net)
    {
        ArgumentNullException.ThrowIfNull(describer);
        _describer = describer;
        _net = describer.BackboneId == DlibResNetDescriber.Id ? net : null;
        if (_net is null)
        {
            net?.Dispose();
        }
    }

    /// <summary>Whether Grad-CAM++ maps are produced.</summary>
    public bool HasGradCam => _net is not null;

    /// <summary>Explains a decision on <paramref name="alignedCrop"/> (the crop the backbone saw). Mutates nothing.</summary>
    /// <param name="template">The person's template.</param>
    /// <param name="alignedCrop">The probe's aligned face crop.</param>
    /// <param name="score">The decision's score.</param>
    /// <param name="threshold">The decision's threshold.</param>
    /// <param name="context">The score context, computed by the caller (it needs the population pack), or null.</param>
    /// <param name="seed">Seed of the random map faithfulness is compared with.</param>
    /// <param name="accepted">The decision's stored outcome; null: <paramref name="score"/> at or above <paramref name="threshold"/>.
    /// It picks the occlusion variant (<see cref="OcclusionSensitivity.VariantFor"/>).</param>
    public DecisionExplanation Explain(ITemplate template, RgbImage alignedCrop, float score, float threshold, ScoreContext? context, int seed = 0, bool? accepted = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(alignedCrop);
        var watch = Stopwatch.StartNew();
        var outcome = accepted ?? score >= threshold;
        var occlusion = OcclusionSensitivity.Compute(_describer, template, alignedCrop, new OcclusionOptions { Variant = OcclusionSensitivity.VariantFor(outcome) });
        var maps = new List<ExplanationMap> { occlusion.Map };
        var gradCamMs = 0.0;
        if (_net is not null && template is ModelTemplate model)
        {
            var cam = GradCamPlusPlus.Compute(_net, model, alignedCrop);
            maps.AddRange(cam.Maps);
            gradCamMs = cam.ElapsedMs;
        }
        var faithfulness = maps.Select(m => Faithfulness.Compute(_describer, template, alignedCrop, m, new FaithfulnessOptions { Seed = seed })).ToArray();
        return new DecisionExplanation(score, threshold, outcome, maps, faithfulness, context,
            occlusion.ElapsedMs, gradCamMs, watch.Elapsed.TotalMilliseconds, occlusion.Variant);
    }

    /// <inheritdoc />
    public void Dispose() => _net?.Dispose();
}
