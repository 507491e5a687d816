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
public sealed class PipelineFaceAnalyzer : IFaceAnalyzer, IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly ImageDecoder _decoder = new();
    private readonly FacePipeline _pipeline;
    private readonly GearAttributeEstimator? _attributes;

    public PipelineFaceAnalyzer(FacePipelineOptions options, ModelPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        _pipeline = new FacePipeline(options, pack, _sessions);
        _attributes = pack.Models.ContainsKey(Core.Models.HumanModels.HumanGraphRecipes.Gear) ? GearAttributeEstimator.Create(pack, _sessions) : null;
        Backbone = new BackboneIdentity(_pipeline.Describer.BackboneId, _pipeline.Describer.BackboneHash);
    }

    public BackboneIdentity Backbone { get; }

    public FaceAnalysis Analyze(ReadOnlyMemory<byte> image, QualityPurpose purpose, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var decoded = _decoder.Decode(image.Span, ct);
        var analysis = _pipeline.Analyze(decoded, purpose);
        var faces = analysis.Faces
            .OrderByDescending(f => f.Box.Width * f.Box.Height)
            // Attributes are estimated for enrollment only (they are shown as estimates there); a decision does not need them.
            .Select(f => new AnalyzedFace(f.Box, f.Score, f.Landmarks.ToArray(), f.Quality, f.Descriptor,
                purpose == QualityPurpose.Enrollment ? _attributes?.Estimate(decoded, f.Detection) : null))
            .ToArray();
        return new FaceAnalysis(analysis.Width, analysis.Height, faces);
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _attributes?.Dispose();
        _decoder.Dispose();
        _sessions.Dispose();
    }
}

/// <summary>Creates the <see cref="PipelineFaceAnalyzer"/> with the configured <see cref="FacePipelineOptions"/> (<c>Mote:Faces</c>).</summary>
public sealed class PipelineFaceAnalyzerFactory(FacePipelineOptions options) : IFaceAnalyzerFactory
{
    public IFaceAnalyzer Create(ModelPack pack) => new PipelineFaceAnalyzer(options, pack);
}
