using System.Diagnostics;
using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Detection;
using Mote.Core.Faces.Landmarks;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Pipeline;

/// <summary>
/// Photo bytes to face descriptors: decode (hardened) → BlazeFace → five landmarks (68-point net or
/// BlazeFace keypoints) → quality → align to the backbone's template → describe (one batch per photo).
/// Built from <see cref="FacePipelineOptions"/> and a provisioned <see cref="ModelPack"/>; owns its
/// decoder and ONNX sessions. Thread-safe; meant to be a singleton.
/// </summary>
public sealed class FacePipeline : IDisposable
{
    private readonly OnnxSessionFactory? _ownedSessions;
    private readonly ImageDecoder _decoder;
    private readonly IFaceDetector _detector;
    private readonly ILandmarkRefiner? _refiner;
    private readonly IFaceDescriber _describer;
    private readonly FaceQualityAssessor _quality;
    private readonly FaceAligner _aligner = new();

    /// <summary>Opens the detector, landmark net (when used) and backbone named by <paramref name="options"/>.</summary>
    /// <param name="options">Settings (defaults: faceplugin-fr, 68-point landmarks).</param>
    /// <param name="pack">The provisioned model pack.</param>
    /// <param name="sessions">Session factory to use; when null the pipeline creates and owns a tuned one.</param>
    /// <param name="decoderOptions">Decoder limits; defaults when null.</param>
    /// <exception cref="ArgumentException">An invalid option (named in the message).</exception>
    /// <exception cref="KeyNotFoundException">A model the options need is missing from the pack.</exception>
    /// <param name="custom">Loads the user's recognition model when the backbone is <see cref="FaceDescribers.Custom"/>; null when none is configured.</param>
    /// <exception cref="CustomModelConfigurationException">The backbone is <see cref="FaceDescribers.Custom"/> and no model file is configured or present.</exception>
    public FacePipeline(FacePipelineOptions options, ModelPack pack, OnnxSessionFactory? sessions = null, ImageDecoderOptions? decoderOptions = null, CustomModelFactory? custom = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pack);
        options.Validate();
        Options = options;
        _quality = new FaceQualityAssessor(options.Quality);
        if (sessions is null)
        {
            _ownedSessions = new OnnxSessionFactory();
            sessions = _ownedSessions;
        }

        var opened = new List<IDisposable>();
        try
        {
            _decoder = new ImageDecoder(decoderOptions);
            opened.Add(_decoder);
            _detector = new BlazeFaceDetector(pack["blazeface"], sessions, options.Detector);
            opened.Add(_detector);
            if (options.Landmarks == LandmarkSource.Landmark68)
            {
                _refiner = new FaceLandmark68Refiner(pack["face_landmark_68_model"], sessions, options.LandmarkCropScale);
                opened.Add(_refiner);
            }

            _describer = FaceDescribers.Create(options.Backbone, pack, sessions, custom);
        }
        catch
        {
            foreach (var d in opened)
            {
                d.Dispose();
            }

            _ownedSessions?.Dispose();
            throw;
        }
    }

    /// <summary>The options in use.</summary>
    public FacePipelineOptions Options { get; }

    /// <summary>The backbone in use (id, hash, dimension, template).</summary>
    public IFaceDescriber Describer => _describer;

    /// <summary>The detector in use.</summary>
    public IFaceDetector Detector => _detector;

    /// <summary>Decodes and analyses a photo.</summary>
    /// <exception cref="ImageRejectedException">The bytes are not an acceptable PNG or JPEG (reason says why).</exception>
    public FaceAnalysis Analyze(ReadOnlySpan<byte> encoded, QualityPurpose purpose = QualityPurpose.Detection)
    {
        var start = Stopwatch.GetTimestamp();
        var image = _decoder.Decode(encoded);
        return Analyze(image, purpose, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>Analyses a decoded photo (not modified).</summary>
    public FaceAnalysis Analyze(RgbImage image, QualityPurpose purpose = QualityPurpose.Detection) => Analyze(image, purpose, 0);

    /// <summary>
    /// The best face's result (see <see cref="FaceAnalysis.BestFace"/>).
    /// </summary>
    /// <exception cref="ImageRejectedException">Bad image bytes.</exception>
    /// <exception cref="FaceNotFoundException">No face, or none passed the quality check (the message gives the reasons).</exception>
    public FaceResult DescribeBestFace(ReadOnlySpan<byte> encoded, QualityPurpose purpose = QualityPurpose.Detection)
    {
        var analysis = Analyze(encoded, purpose);
        return RequireBest(analysis);
    }

    /// <summary>The best face of an analysis, or a <see cref="FaceNotFoundException"/> saying why there is none.</summary>
    /// <exception cref="FaceNotFoundException">No face, or none passed the quality check.</exception>
    public static FaceResult RequireBest(FaceAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        if (analysis.Faces.Count == 0)
        {
            throw new FaceNotFoundException(FaceRejectionReason.NoFace, $"No face was found in the {analysis.Width}x{analysis.Height} photo.");
        }

        if (analysis.BestFace() is { } best)
        {
            return best;
        }

        var nearest = analysis.BestFace(requireAccepted: false)!;
        throw new FaceNotFoundException(
            FaceRejectionReason.QualityRejected,
            $"{Counted.Of(analysis.Faces.Count, "face")} found, none good enough: {string.Join(" ", nearest.Quality.Reasons)}",
            nearest.Quality);
    }

    /// <summary>Analyses many photos in order, each independently; a bad photo yields its exception in place of a result.</summary>
    public IEnumerable<(int Index, FaceAnalysis? Analysis, Exception? Error)> AnalyzeMany(IEnumerable<byte[]> photos, QualityPurpose purpose = QualityPurpose.Detection)
    {
        ArgumentNullException.ThrowIfNull(photos);
        var index = 0;
        foreach (var photo in photos)
        {
            FaceAnalysis? analysis = null;
            Exception? error = null;
            try
            {
                analysis = Analyze(photo, purpose);
            }
            catch (ImageRejectedException e)
            {
                error = e;
            }

            yield return (index++, analysis, error);
        }
    }

    private FaceAnalysis Analyze(RgbImage image, QualityPurpose purpose, double decodeMs)
    {
        ArgumentNullException.ThrowIfNull(image);
        var inferenceStart = InferenceClock.ElapsedTicks;
        var t = Stopwatch.GetTimestamp();
        var detections = _detector.Detect(image);
        var detectMs = Lap(ref t);

        var landmarks = detections.Select(d => _refiner is null ? BlazeFaceLandmarks(d) : _refiner.Refine(image, d)).ToArray();
        var landmarksMs = Lap(ref t);

        var template = _describer.Template;
        var aligned = landmarks.Select(l => _aligner.Align(image, l, template)).ToArray();
        var verdicts = detections.Select((d, i) => _quality.Assess(new FaceQualityInput(d.Box.Width, landmarks[i], d.Score, _aligner.Align(image, landmarks[i], Sharpness.FaceTemplate).Crop), purpose)).ToArray();
        IReadOnlyList<RgbImage>[]? partCrops = null;
        double[]? partMs = null;
        if (_describer is ICompositeFaceDescriber composite)
        {
            // Each part is aligned to its own template from the same landmarks, exactly as that backbone alone would be.
            partMs = new double[composite.PartTemplates.Count];
            partCrops = new IReadOnlyList<RgbImage>[composite.PartTemplates.Count];
            partCrops[0] = aligned.Select(a => a.Crop).ToArray();
            for (var p = 1; p < partCrops.Length; p++)
            {
                var partStart = Stopwatch.GetTimestamp();
                var partTemplate = composite.PartTemplates[p];
                partCrops[p] = landmarks.Select(l => _aligner.Align(image, l, partTemplate).Crop).ToArray();
                partMs[p] += Stopwatch.GetElapsedTime(partStart).TotalMilliseconds;
            }
        }

        var alignMs = Lap(ref t);

        float[][] descriptors;
        if (partCrops is not null)
        {
            var describeMs = new double[partCrops.Length];
            descriptors = ((ICompositeFaceDescriber)_describer).DescribeParts(partCrops, describeMs);
            for (var p = 0; p < describeMs.Length; p++)
            {
                partMs![p] += describeMs[p];
            }
        }
        else
        {
            descriptors = _describer.Describe(aligned.Select(a => a.Crop).ToArray());
        }

        var describeMsTotal = Lap(ref t);

        var faces = detections.Select((d, i) => new FaceResult(d, landmarks[i], verdicts[i], Options.KeepAlignedCrops ? aligned[i].Crop : null, descriptors[i])).ToArray();
        var inferenceMs = (InferenceClock.ElapsedTicks - inferenceStart) * 1000.0 / Stopwatch.Frequency;
        return new FaceAnalysis(image.Width, image.Height, _describer.BackboneId, faces, new PipelineTimings(decodeMs, detectMs, landmarksMs, alignMs, describeMsTotal, inferenceMs) { PartMs = partMs });
    }

    private static FivePointLandmarks BlazeFaceLandmarks(DetectedFace face) =>
        face.Landmarks ?? BlazeFaceDetector.FivePointFromBlazeFace(face.Keypoints);

    private static double Lap(ref long start)
    {
        var now = Stopwatch.GetTimestamp();
        var ms = (now - start) * 1000.0 / Stopwatch.Frequency;
        start = now;
        return ms;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _describer.Dispose();
        _refiner?.Dispose();
        _detector.Dispose();
        _decoder.Dispose();
        _ownedSessions?.Dispose();
    }
}
