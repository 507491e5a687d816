using Microsoft.ML.OnnxRuntime;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Landmarks;

/// <summary>
/// Five alignment landmarks from face-api's 68-point landmark net (<c>face_landmark_68_model</c>), run on
/// a square crop around the detector's box: eye centres = means of points 36–41 and 42–47, nose tip =
/// point 30, mouth corners = points 48 and 54 (iBUG 300-W order). Owns one ONNX session; thread-safe.
/// </summary>
/// <remarks>
/// The crop is axis-aligned, centred on the detector box, <see cref="CropScale"/> times its larger side,
/// filled with black outside the photo, like face-api's own <c>padToSquare</c> before the net.
/// </remarks>
public sealed class FaceLandmark68Refiner : ILandmarkRefiner
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly FaceAligner _aligner = new();

    /// <summary>Opens the model at <paramref name="model"/>.</summary>
    /// <param name="model">The <c>face_landmark_68_model</c> pack entry.</param>
    /// <param name="sessions">Session factory.</param>
    /// <param name="cropScale">Crop side as a multiple of the detector box's larger side. Default 1.0 (see <see cref="CropScale"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cropScale"/> is not in (0.5, 3].</exception>
    public FaceLandmark68Refiner(ModelPackEntry model, OnnxSessionFactory sessions, double cropScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sessions);
        if (!(cropScale > 0.5 && cropScale <= 3))
        {
            throw new ArgumentOutOfRangeException(nameof(cropScale), cropScale, "The landmark crop scale must lie in (0.5, 3].");
        }

        CropScale = cropScale;
        _session = sessions.Create(model);
        _inputName = _session.InputMetadata.Keys.Single();
        _outputName = _session.OutputMetadata.Keys.Single();
        InputSize = _session.InputMetadata[_inputName].Dimensions[1];
    }

    /// <summary>Side of the net's square input (112).</summary>
    public int InputSize { get; }

    /// <summary>Crop side as a multiple of the detector box's larger side.</summary>
    public double CropScale { get; }

    /// <inheritdoc />
    public FivePointLandmarks Refine(RgbImage image, DetectedFace face) => FivePoint(Predict68(image, face));

    /// <summary>All 68 points in source pixels for the face in <paramref name="face"/>'s box.</summary>
    public Point2D[] Predict68(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        var side = Math.Max(face.Box.Width, face.Box.Height) * CropScale;
        var scale = InputSize / side;
        var centre = face.Box.Center;
        // Source → crop: scale about the crop's top-left corner, which sits at centre − side/2.
        var toCrop = new SimilarityTransform(scale, 0, -(centre.X - (side / 2)) * scale, -(centre.Y - (side / 2)) * scale);
        var crop = _aligner.Warp(image, toCrop, InputSize, InputSize);
        var tensor = TensorPacker.Pack(crop, TensorLayout.Nhwc, PixelNormalization.Raw);
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, [1, InputSize, InputSize, 3]);
        using var runOptions = new RunOptions();
        using var outputs = Run(runOptions, [_inputName], [input], [_outputName]);
        var values = outputs[0].GetTensorDataAsSpan<float>();
        var toSource = toCrop.Invert();
        var points = new Point2D[68];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = toSource.Apply(new Point2D((values[2 * i] * InputSize) - 0.5, (values[(2 * i) + 1] * InputSize) - 0.5));
        }

        return points;
    }

    /// <summary>The five alignment points from 68 iBUG points (see the class summary).</summary>
    /// <exception cref="ArgumentException">Not 68 points.</exception>
    public static FivePointLandmarks FivePoint(IReadOnlyList<Point2D> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count != 68)
        {
            throw new ArgumentException($"68 landmarks are needed; {points.Count} were given.", nameof(points));
        }

        return new FivePointLandmarks(Mean(points, 36, 42), Mean(points, 42, 48), points[30], points[48], points[54]);
    }

    private static Point2D Mean(IReadOnlyList<Point2D> points, int from, int to)
    {
        double x = 0, y = 0;
        for (var i = from; i < to; i++)
        {
            x += points[i].X;
            y += points[i].Y;
        }

        return new Point2D(x / (to - from), y / (to - from));
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, string[] inputNames, OrtValue[] inputs, string[] outputNames)
    {
        using (InferenceClock.Measure())
        {
            return _session.Run(runOptions, inputNames, inputs, outputNames);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
