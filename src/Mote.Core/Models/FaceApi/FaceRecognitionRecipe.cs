namespace Mote.Core.Models.FaceApi;

/// <summary>
/// Builds <c>face_recognition_model</c>: face-api's dlib ResNet descriptor, from its quantised weights and
/// the architecture written in <see cref="FaceRecognitionNetOnnx"/>.
/// </summary>
public sealed class FaceRecognitionRecipe : IModelRecipe
{
    /// <summary>The model id, the same name face-api gives the weights.</summary>
    public const string ModelId = "face_recognition_model";

    /// <summary>Where the weights manifest sits inside the face-api package.</summary>
    public const string ManifestPath = "model/face_recognition_model-weights_manifest.json";

    /// <inheritdoc />
    public string Id => ModelId;

    /// <inheritdoc />
    public int Version => 1;

    /// <inheritdoc />
    public PinnedPackage Source => PinnedPackages.FaceApi;

    /// <summary>The licence record of this model (also <see cref="IModelRecipe.StatedLicense"/>, so a pack converted under an
    /// older wording shows this one).</summary>
    public static ModelLicense License { get; } = new(
        Package: $"MIT ({PinnedPackages.FaceApi.Spec} package.json \"license\": \"MIT\"; LICENSE: \"MIT License, Copyright (c) Vladimir Mandic\")",
        Weights: "The package states no separate licence for the weights; its README credits them to face-api.js-models " +
            "(justadudewhohacks/face-api.js, MIT), converted from dlib's dlib_face_recognition_resnet_model_v1 by Davis E. King. " +
            "dlib's model repository (github.com/davisking/dlib-models, README) says of its models: \"anyone can do whatever they " +
            "want with these model files as I've released them into the public domain\"; the same README says this one was " +
            "trained on about 3 million faces from FaceScrub, VGG Face and images collected from the internet, whose own terms " +
            "are not stated there. dlib itself is under the Boost Software License 1.0.",
        Notes: "Check the training data's terms for your use before deploying (dlib-models README); the conversion to ONNX adds no terms.");

    /// <inheritdoc />
    public ModelLicense StatedLicense => License;

    /// <inheritdoc />
    public ConvertedModel Build(string packageDir)
    {
        var weights = FaceApiWeights.Load(Path.Combine(packageDir, ManifestPath));
        var onnx = FaceRecognitionNetOnnx.Build(weights, new Dictionary<string, string>
        {
            ["mote.model_id"] = ModelId,
            ["mote.source"] = $"{Source.Spec}/{ManifestPath}",
        });
        var license = License;
        return new ConvertedModel(
            onnx,
            ManifestPath,
            [
                new ModelInputSpec(
                    FaceRecognitionNetOnnx.InputName,
                    [-1, FaceRecognitionNetOnnx.InputSize, FaceRecognitionNetOnnx.InputSize, 3],
                    "NHWC",
                    "RGB",
                    "float32 pixel values 0..255; the graph subtracts the RGB mean (122.782, 117.001, 104.298) and divides by 255 as face-api does"),
            ],
            [
                new ModelOutputSpec(
                    FaceRecognitionNetOnnx.OutputName,
                    [-1, FaceRecognitionNetOnnx.DescriptorLength],
                    "128-d face descriptor exactly as face-api's computeFaceDescriptor returns it; NOT L2-normalised (the pipeline normalises). " +
                    "face-api/dlib compare descriptors by Euclidean distance, same person below about 0.6."),
            ],
            license,
            "Architecture written in C# from face-api's src/faceRecognitionNet/*.ts; weights dequantised as value = q*scale + min. " +
            "Expects a 150x150 face crop (dlib alignment: face chip of 150 px with 0.25 padding).");
    }
}
