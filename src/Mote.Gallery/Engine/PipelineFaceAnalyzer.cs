using Mote.Core.Explain;
using Mote.Core.Faces;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Templates;

namespace Mote.Gallery.Engine;

/// <summary>
/// <see cref="IFaceAnalyzer"/> over the engine's <see cref="FacePipeline"/> (detection, landmarks,
/// quality, alignment, descriptor) plus the <c>gear</c> attribute estimator. Owns its native sessions.
/// </summary>
public sealed class PipelineFaceAnalyzer : IFaceAnalyzer, IProbeExplainer, IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly FacePipeline _pipeline;
    private readonly GearAttributeEstimator? _attributes;
    private readonly ModelPack _pack;
    private readonly Lock _explainerGate = new();
    private DecisionExplainer? _explainer;

    // Analyses running at once, one per core; the others wait holding only their encoded bytes. Without it, 20 concurrent
    // 12-Mpx verifications each held a 9 MB working image and the detector's tiles at once and the portal peaked at 1.16 GB
    // even with decoding gated (docs/reliability.md); the work is CPU-bound, so more at once only interleaves it.
    private readonly SemaphoreSlim _analysisGate = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <param name="options">The pipeline settings (<c>Mote:Faces</c>).</param>
    /// <param name="pack">The provisioned model pack.</param>
    /// <param name="custom">The user's own model (<c>Mote:Faces:Custom</c>), used when the backbone is <c>custom</c>; null when none is configured.</param>
    /// <exception cref="Core.Faces.Descriptors.CustomModelConfigurationException">The backbone is <c>custom</c> and no model file is configured or present.</exception>
    public PipelineFaceAnalyzer(FacePipelineOptions options, ModelPack pack, CustomModelSettings? custom = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        _pack = pack;
        // Aligned crops are kept (about 67 KB a face) so an explanation sees exactly the crop the backbone saw.
        _pipeline = new FacePipeline(options with { KeepAlignedCrops = true }, pack, _sessions, PhotoPolicy.DecoderOptions, custom?.Factory(_sessions));
        _attributes = pack.Models.ContainsKey(Core.Models.HumanModels.HumanGraphRecipes.Gear) ? GearAttributeEstimator.Create(pack, _sessions) : null;
        Backbone = new BackboneIdentity(_pipeline.Describer.BackboneId, _pipeline.Describer.BackboneHash);
    }

    /// <summary>The backbone of the configured describer: its id and the hash of its model file.</summary>
    public BackboneIdentity Backbone { get; }

    /// <summary>
    /// Detects, checks, aligns and describes every face in <paramref name="image"/>, largest first; attributes are estimated only for
    /// <see cref="QualityPurpose.Enrollment"/>. At most one analysis per core runs at once; the others wait.
    /// </summary>
    /// <exception cref="ImageRejectedException">The bytes are not an acceptable PNG or JPEG.</exception>
    public FaceAnalysis Analyze(ReadOnlyMemory<byte> image, QualityPurpose purpose, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        _analysisGate.Wait(ct);
        try
        {
            return AnalyzeGated(image, purpose, ct);
        }
        finally
        {
            _analysisGate.Release();
        }
    }

    private FaceAnalysis AnalyzeGated(ReadOnlyMemory<byte> image, QualityPurpose purpose, CancellationToken ct)
    {
        var photo = Decode(image, ct);
        var decoded = photo.Image;
        var analysis = _pipeline.Analyze(decoded, purpose);
        var faces = analysis.Faces
            .OrderByDescending(f => f.Box.Width * f.Box.Height)
            // Attributes are estimated for enrollment only (they are shown as estimates there); a decision does not need them.
            // Positions go out in the photo's own pixels, also when it was analysed scaled down.
            .Select(f => new AnalyzedFace(ToSource(f.Box, photo), f.Score, ToSource(f.Landmarks.ToArray(), photo),
                f.Quality, f.Descriptor, purpose == QualityPurpose.Enrollment ? _attributes?.Estimate(decoded, f.Detection) : null, f.AlignedCrop))
            .ToArray();
        return new FaceAnalysis(photo.SourceWidth, photo.SourceHeight, faces);
    }

    /// <inheritdoc />
    public ProbeExplanation? Explain(ReadOnlyMemory<byte> probe, int faceIndex, ITemplate template, float score, float threshold, Func<float[], ScoreContext?> context, int seed, CancellationToken ct, bool? accepted = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(context);
        ct.ThrowIfCancellationRequested();
        Core.Faces.Pipeline.FaceAnalysis analysis;
        _analysisGate.Wait(ct);
        try
        {
            analysis = _pipeline.Analyze(Decode(probe, ct).Image, QualityPurpose.Detection);
        }
        finally
        {
            _analysisGate.Release();
        }
        // The face the decision used, numbered as Analyze numbers them (largest first; the sort is stable).
        var face = analysis.Faces.OrderByDescending(f => f.Box.Width * f.Box.Height).ElementAtOrDefault(faceIndex);
        if (face?.AlignedCrop is not { } crop)
        {
            return null;
        }
        return new ProbeExplanation(Explainer().Explain(template, crop, score, threshold, context(face.Descriptor), seed, accepted), crop);
    }

    /// <inheritdoc />
    public ProbeExplanation ExplainAligned(RgbImage alignedCrop, float[] descriptor, ITemplate template, float score, float threshold, Func<float[], ScoreContext?> context, int seed, bool? accepted = null)
    {
        ArgumentNullException.ThrowIfNull(alignedCrop);
        ArgumentNullException.ThrowIfNull(context);
        return new ProbeExplanation(Explainer().Explain(template, alignedCrop, score, threshold, context(descriptor), seed, accepted), alignedCrop);
    }

    // The process's one photo decoder (its gate bounds full-size frames), scaling a photo above PhotoPolicy.AnalysisPixels
    // down before it leaves the gate. Analyze and Explain decode alike, so a face index means the same face in both.
    private static DecodedPhoto Decode(ReadOnlyMemory<byte> image, CancellationToken ct) =>
        PhotoPolicy.Decoder.DecodeWithin(image.Span, PhotoPolicy.AnalysisPixels, ct);

    private static FaceBox ToSource(FaceBox box, DecodedPhoto photo) => photo.IsScaled
        ? new FaceBox(box.X * photo.ToSourceX, box.Y * photo.ToSourceY, box.Width * photo.ToSourceX, box.Height * photo.ToSourceY)
        : box;

    private static Point2D[] ToSource(IReadOnlyList<Point2D> points, DecodedPhoto photo)
    {
        var mapped = new Point2D[points.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = new Point2D(points[i].X * photo.ToSourceX, points[i].Y * photo.ToSourceY);
        }
        return mapped;
    }

    private DecisionExplainer Explainer()
    {
        lock (_explainerGate)
        {
            if (_explainer is null)
            {
                DlibResNetTorch? net = null;
                if (_pipeline.Describer.BackboneId == Core.Faces.Descriptors.DlibResNetDescriber.Id)
                {
                    try
                    {
                        net = new DlibResNetTorch(_pack[Core.Faces.Descriptors.DlibResNetDescriber.ModelId]);
                    }
                    catch (TorchRuntimeUnavailableException)
                    {
                        // Without TorchSharp the explanation has the occlusion map only.
                    }
                }
                _explainer = new DecisionExplainer(_pipeline.Describer, net);
            }
            return _explainer;
        }
    }

    /// <summary>Disposes the explainer, the pipeline, the attribute estimator and the native sessions they use.</summary>
    public void Dispose()
    {
        _explainer?.Dispose();
        _pipeline.Dispose();
        _attributes?.Dispose();
        _analysisGate.Dispose();
        _sessions.Dispose();
    }
}

/// <summary>
/// Creates the <see cref="PipelineFaceAnalyzer"/> with the configured <see cref="FacePipelineOptions"/> (<c>Mote:Faces</c>)
/// and, for the <c>custom</c> backbone, the user's model (<c>Mote:Faces:Custom</c>).
/// </summary>
public sealed class PipelineFaceAnalyzerFactory(FacePipelineOptions options, CustomModelSettings? custom = null) : IFaceAnalyzerFactory
{
    /// <inheritdoc />
    public string ConfiguredBackbone => options.Backbone;

    /// <inheritdoc />
    public IFaceAnalyzer Create(ModelPack pack, string? backbone = null) =>
        new PipelineFaceAnalyzer(backbone is null ? options : options with { Backbone = backbone }, pack, custom);
}

/// <summary>
/// The user's own models as configured under <see cref="Core.Faces.Descriptors.CustomModelOptions.SectionName"/>, with the
/// folder relative paths start from (the content root). Immutable after binding; a singleton.
/// </summary>
/// <param name="Options">The bound options (not modified).</param>
/// <param name="BaseDirectory">Where relative model paths start.</param>
public sealed record CustomModelSettings(Core.Faces.Descriptors.CustomModelOptions Options, string BaseDirectory)
{
    /// <summary>A factory that opens the configured models with <paramref name="sessions"/> (not owned).</summary>
    public Core.Faces.Descriptors.CustomModelFactory Factory(OnnxSessionFactory sessions) => new(Options, sessions, BaseDirectory);
}
