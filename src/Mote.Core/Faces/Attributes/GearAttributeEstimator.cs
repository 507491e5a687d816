using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.HumanModels;

namespace Mote.Core.Faces.Attributes;

/// <summary>
/// Estimates gender, age and ethnicity with Human's <c>gear</c> model (198x198 NHWC RGB input, three
/// softmax heads decoded by <see cref="GearOutputDecoder"/>). Every result is an estimate
/// (<see cref="AttributeEstimate.IsEstimated"/>). Owns its ONNX session; thread-safe (ONNX Runtime
/// sessions allow concurrent <c>Run</c>); a singleton.
/// </summary>
public sealed class GearAttributeEstimator : IAttributeEstimator
{
    /// <summary>Side of gear's square input in pixels.</summary>
    public const int InputSize = 198;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _ageOutput;
    private readonly string _genderOutput;
    private readonly string _raceOutput;
    // Edge pixels repeat rather than black: a black band where a face sits at the photo's edge is unlike anything in UTKFace.
    private static readonly FaceAligner CropAligner = new(WarpBorder.Replicate);
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/> (a converted gear model), taking ownership of it.</summary>
    /// <exception cref="InvalidOperationException">The model's input is not <c>[batch, 198, 198, 3]</c>, or its outputs are not one head each of 7, 2 and 5 values.</exception>
    public GearAttributeEstimator(InferenceSession session, GearAttributeEstimatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        Options = options ?? new GearAttributeEstimatorOptions();
        if (Options.Margin < 0 || !double.IsFinite(Options.Margin))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Margin, "GearAttributeEstimatorOptions.Margin must be a non-negative number.");
        }

        if (session.InputMetadata.Count != 1)
        {
            throw new InvalidOperationException($"The gear model must have one input; it has {session.InputMetadata.Count}.");
        }

        var (inputName, input) = session.InputMetadata.First();
        var dims = input.Dimensions;
        if (dims.Length != 4 || dims[1] != InputSize || dims[2] != InputSize || dims[3] != 3)
        {
            throw new InvalidOperationException($"The gear model's input '{inputName}' must be [batch, {InputSize}, {InputSize}, 3]; it is [{string.Join(", ", dims)}].");
        }

        _inputName = inputName;
        _ageOutput = OutputWithWidth(session, GearOutputDecoder.AgeClasses, "age");
        _genderOutput = OutputWithWidth(session, GearOutputDecoder.GenderClasses, "gender");
        _raceOutput = OutputWithWidth(session, GearOutputDecoder.RaceClasses, "race");
        _session = session;
    }

    /// <summary>The options in use (do not change them after construction).</summary>
    public GearAttributeEstimatorOptions Options { get; }

    /// <summary>Creates an estimator for the pack's <c>gear</c> model with a session from <paramref name="factory"/>.</summary>
    /// <exception cref="KeyNotFoundException">The pack has no gear model.</exception>
    public static GearAttributeEstimator Create(ModelPack pack, OnnxSessionFactory factory, GearAttributeEstimatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(factory);
        var session = factory.Create(pack[HumanGraphRecipes.Gear]);
        try
        {
            return new GearAttributeEstimator(session, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Estimates the attributes of <paramref name="face"/> in <paramref name="image"/> (neither is
    /// modified): a square of the box's longer side plus <see cref="GearAttributeEstimatorOptions.Margin"/>
    /// on every side, centred on the box, is resized to 198x198 (edge pixels repeat where it leaves the photo).
    /// </summary>
    public AttributeEstimate Estimate(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        return EstimateCrops([CropFace(image, face.Box, Options.Margin)])[0];
    }

    /// <summary>
    /// The 198x198 crop <see cref="Estimate"/> feeds the model for <paramref name="box"/>: a square of the
    /// box's longer side plus <paramref name="margin"/> times that side on every side, centred on the box,
    /// with edge pixels repeated where it leaves the photo. <paramref name="image"/> is not modified.
    /// </summary>
    /// <exception cref="ArgumentException">The box is empty.</exception>
    public static RgbImage CropFace(RgbImage image, FaceBox box, double margin)
    {
        ArgumentNullException.ThrowIfNull(image);
        var side = Math.Max(box.Width, box.Height) * (1 + (2 * margin));
        if (!(side > 0))
        {
            throw new ArgumentException($"The face box {box} is empty.", nameof(box));
        }

        // Square centred on the box; pixel centres at integers, so the square's edges sit half a pixel outside its corner pixels.
        var scale = InputSize / side;
        var left = box.Center.X - (side / 2);
        var top = box.Center.Y - (side / 2);
        var transform = new SimilarityTransform(scale, 0, ((0.5 - left) * scale) - 0.5, ((0.5 - top) * scale) - 0.5);
        return CropAligner.Warp(image, transform, InputSize, InputSize);
    }

    /// <summary>
    /// Estimates the attributes of whole face crops (e.g. UTKFace's 200x200 chips), each stretched to
    /// 198x198; one estimate per crop, in order. The crops are not modified.
    /// </summary>
    public IReadOnlyList<AttributeEstimate> EstimateCrops(IReadOnlyList<RgbImage> faceCrops)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(faceCrops);
        if (faceCrops.Count == 0)
        {
            return [];
        }

        const int plane = InputSize * InputSize * 3;
        var buffer = new float[faceCrops.Count * plane];
        for (var i = 0; i < faceCrops.Count; i++)
        {
            var crop = faceCrops[i];
            ArgumentNullException.ThrowIfNull(crop, nameof(faceCrops));
            var resized = crop.Width == InputSize && crop.Height == InputSize ? crop : ImageResizer.Resize(crop, InputSize, InputSize).Image;
            TensorPacker.Pack(resized, TensorLayout.Nhwc, Options.Normalization, buffer.AsSpan(i * plane, plane));
        }

        var tensor = new DenseTensor<float>(buffer, [faceCrops.Count, InputSize, InputSize, 3]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)], [_ageOutput, _genderOutput, _raceOutput]);
        var age = Values(results, _ageOutput);
        var gender = Values(results, _genderOutput);
        var race = Values(results, _raceOutput);
        var estimates = new AttributeEstimate[faceCrops.Count];
        for (var i = 0; i < estimates.Length; i++)
        {
            estimates[i] = GearOutputDecoder.Decode(
                age.AsSpan(i * GearOutputDecoder.AgeClasses, GearOutputDecoder.AgeClasses),
                gender.AsSpan(i * GearOutputDecoder.GenderClasses, GearOutputDecoder.GenderClasses),
                race.AsSpan(i * GearOutputDecoder.RaceClasses, GearOutputDecoder.RaceClasses));
        }

        return estimates;
    }

    /// <summary>Releases the ONNX session. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _session.Dispose();
        }
    }

    private static float[] Values(IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results, string name) =>
        results.First(r => r.Name == name).AsTensor<float>().ToArray();

    private static string OutputWithWidth(InferenceSession session, int width, string head)
    {
        // The converter names outputs after TF nodes (Identity, Identity_1, ...), so heads are told apart by width: 7 age, 2 gender, 5 race.
        var matches = session.OutputMetadata.Where(o => o.Value.Dimensions.Length == 2 && o.Value.Dimensions[1] == width).Select(o => o.Key).ToArray();
        return matches.Length == 1
            ? matches[0]
            : throw new InvalidOperationException(
                $"The gear model must have exactly one [batch, {width}] output for the {head} head; found {matches.Length} among {string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key}[{string.Join(",", o.Value.Dimensions)}]"))}.");
    }
}
