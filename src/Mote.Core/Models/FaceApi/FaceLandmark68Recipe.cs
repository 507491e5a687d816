namespace Mote.Core.Models.FaceApi;

/// <summary>
/// Builds <c>face_landmark_68_model</c>: face-api's 68-point landmark net, from its quantised weights and
/// the architecture written in <see cref="FaceLandmark68NetOnnx"/>. A candidate landmark source for alignment.
/// </summary>
public sealed class FaceLandmark68Recipe : IModelRecipe
{
    /// <summary>The model id, the same name face-api gives the weights.</summary>
    public const string ModelId = "face_landmark_68_model";

    /// <summary>Where the weights manifest sits inside the face-api package.</summary>
    public const string ManifestPath = "model/face_landmark_68_model-weights_manifest.json";

    /// <inheritdoc />
    public string Id => ModelId;

    /// <inheritdoc />
    public int Version => 1;

    /// <inheritdoc />
    public PinnedPackage Source => PinnedPackages.FaceApi;

    /// <inheritdoc />
    public ConvertedModel Build(string packageDir)
    {
        var weights = FaceApiWeights.Load(Path.Combine(packageDir, ManifestPath));
        var onnx = FaceLandmark68NetOnnx.Build(weights, new Dictionary<string, string>
        {
            ["mote.model_id"] = ModelId,
            ["mote.source"] = $"{Source.Spec}/{ManifestPath}",
        });
        var license = new ModelLicense(
            Package: $"MIT ({Source.Spec} package.json \"license\": \"MIT\"; LICENSE: \"MIT License, Copyright (c) Vladimir Mandic\")",
            Weights: "The package states no separate licence for the weights; its README credits the original weights to " +
                "face-api.js-models (justadudewhohacks/face-api.js, MIT), where this landmark net was trained.",
            Notes: "");
        return new ConvertedModel(
            onnx,
            ManifestPath,
            [
                new ModelInputSpec(
                    FaceLandmark68NetOnnx.InputName,
                    [-1, FaceLandmark68NetOnnx.InputSize, FaceLandmark68NetOnnx.InputSize, 3],
                    "NHWC",
                    "RGB",
                    "float32 pixel values 0..255 of a square face crop resized to 112x112; the graph subtracts the RGB mean " +
                    "(122.782, 117.001, 104.298) and divides by 255 as face-api does"),
            ],
            [
                new ModelOutputSpec(
                    FaceLandmark68NetOnnx.OutputName,
                    [-1, 2 * FaceLandmark68NetOnnx.PointCount],
                    "68 landmarks (iBUG 300-W order: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67) as " +
                    "x0, y0, ..., x67, y67 relative to the input crop (0..1); multiply by the crop's width and height."),
            ],
            license,
            "Architecture written in C# from face-api's src/faceFeatureExtractor/*.ts and src/faceLandmarkNet/*.ts; " +
            "weights dequantised as value = q*scale + min.");
    }
}
