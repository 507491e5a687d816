using Microsoft.ML.OnnxRuntime;

namespace Mote.Core.Models.Faceplugin;

/// <summary>
/// Provides <c>faceplugin_fr</c>: the recognition model <c>model/fr_feature.onnx</c> of
/// <c>faceplugin-face-recognition-js@0.0.1</c>, taken unchanged (it is plain ONNX). Nothing else of the package
/// (detector, landmarks, liveness, age, gender, expression, OpenCV) is used. Backbone <c>faceplugin-fr</c>.
/// </summary>
public sealed class FacepluginRecognitionRecipe : IModelRecipe
{
    /// <summary>The model id (cache folder and pack key).</summary>
    public const string ModelId = "faceplugin_fr";

    /// <summary>Where the model sits inside the package.</summary>
    public const string PackagePath = "model/fr_feature.onnx";

    /// <summary>The graph's input name (the package's <c>lib/fr_feature.js</c> feeds <c>{"input": …}</c>).</summary>
    public const string InputName = "input";

    /// <inheritdoc />
    public string Id => ModelId;

    /// <inheritdoc />
    public int Version => 1;

    /// <inheritdoc />
    public PinnedPackage Source => PinnedPackages.FacepluginFaceRecognition;

    /// <inheritdoc />
    public ConvertedModel Build(string packageDir)
    {
        var path = Path.Combine(packageDir, PackagePath);
        if (!File.Exists(path))
        {
            throw new ModelProvisioningException($"{Source.Spec} has no {PackagePath}; the pinned package should ship it.");
        }

        var onnx = File.ReadAllBytes(path);
        // The manifest records the graph's own input and output, read from the file rather than assumed.
        string outputName;
        long[] outputShape;
        using (var session = new InferenceSession(onnx))
        {
            var (inputName, input) = session.InputMetadata.Single();
            if (inputName != InputName || !input.Dimensions.SequenceEqual([1, 3, 112, 112]))
            {
                throw new ModelProvisioningException($"{Source.Spec} {PackagePath} has input '{inputName}' [{string.Join(", ", input.Dimensions)}]; expected '{InputName}' [1, 3, 112, 112].");
            }

            var output = session.OutputMetadata.Single();
            outputName = output.Key;
            outputShape = output.Value.Dimensions.Select(d => (long)d).ToArray();
        }

        return new ConvertedModel(
            onnx,
            PackagePath,
            [
                new ModelInputSpec(InputName, [1, 3, 112, 112], "NCHW", "RGB",
                    "112x112 face aligned to InsightFace's 5-point template, float32 (pixel − 127) / 128, as the package's lib/fr_feature.js prepares it"),
            ],
            [new ModelOutputSpec(outputName, outputShape, $"{outputShape[^1]}-d face descriptor, not L2-normalised (the describer normalises)")],
            new ModelLicense(
                Package: $"MIT, as declared by the package ({Source.Spec} package.json \"license\": \"MIT\"; LICENSE: \"MIT License, Copyright (c) 2021 gitguanqi\")",
                Weights: "No separate licence for the model; the package's MIT licence is the only one it declares. " +
                    "Training data not documented: the publisher (Faceplugin) does not say on whose faces fr_feature.onnx was trained, with what consent or under which terms.",
                Notes: "Ask the publisher for the training data and the model's terms before relying on it. Selectable as backbone faceplugin-fr; not the default."),
            "Taken unchanged from the package. Align to InsightFace's 5-point 112x112 template, pass RGB as (x − 127) / 128 in NCHW, " +
            "L2-normalise the output (the package's lib/fr_feature.js). Measured on lfw-dev in docs/faces.md.");
    }
}
