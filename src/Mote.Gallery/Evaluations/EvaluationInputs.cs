using Mote.Core.Evaluation;
using Mote.Core.Faces;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.HumanModels;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Gallery.Evaluations;

/// <summary>
/// What an evaluation reads photos with, the same for <c>mote evaluate</c> and the portal's <see cref="EvaluationJobs"/>:
/// a face pipeline on the configured backbone (<c>Mote:Faces:Backbone</c>), the
/// attribute estimator enrollment uses (when the model pack has it), the population pack for that backbone with the id
/// templates store, and the descriptor cache. Disposes the pipeline, the estimator and the cache.
/// </summary>
public sealed class EvaluationInputs : IDisposable
{
    private readonly OnnxSessionFactory _sessions;
    private readonly GearAttributeEstimator? _attributes;
    private readonly ImageDecoder _decoder = new();

    private EvaluationInputs(OnnxSessionFactory sessions, FacePipeline pipeline, GearAttributeEstimator? attributes, BackboneIdentity backbone, PopulationPack pack, DescriptorCache cache)
    {
        _sessions = sessions;
        Pipeline = pipeline;
        _attributes = attributes;
        Backbone = backbone;
        Pack = pack;
        Cache = cache;
    }

    /// <summary>The face pipeline (dlib backbone).</summary>
    public FacePipeline Pipeline { get; }

    /// <summary>The backbone behind the descriptors.</summary>
    public BackboneIdentity Backbone { get; }

    /// <summary>The population pack for <see cref="Backbone"/>.</summary>
    public PopulationPack Pack { get; }

    /// <summary>The pack's id as stored in templates.</summary>
    public string PackId => PersonTemplateBuilder.PackId(Pack);

    /// <summary>The descriptor cache (one writer at a time: the portal and the terminal use different folders).</summary>
    public DescriptorCache Cache { get; }

    /// <summary>
    /// Opens the pipeline on <paramref name="modelPack"/> with the engine's configured backbone
    /// (<see cref="GalleryEngine.ConfiguredBackbone"/>, <c>Mote:Faces:Backbone</c>), the engine's population pack for it and the
    /// cache in <paramref name="cacheFolder"/>.
    /// </summary>
    public static EvaluationInputs Open(ModelPack modelPack, GalleryEngine engine, string cacheFolder)
    {
        ArgumentNullException.ThrowIfNull(modelPack);
        ArgumentNullException.ThrowIfNull(engine);
        var sessions = new OnnxSessionFactory();
        FacePipeline? pipeline = null;
        GearAttributeEstimator? attributes = null;
        try
        {
            pipeline = new FacePipeline(new FacePipelineOptions { Backbone = engine.ConfiguredBackbone }, modelPack, sessions, custom: engine.CustomModels(sessions));
            attributes = modelPack.Models.ContainsKey(HumanGraphRecipes.Gear) ? GearAttributeEstimator.Create(modelPack, sessions) : null;
            var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
            var pack = engine.GetPopulation(backbone);
            return new EvaluationInputs(sessions, pipeline, attributes, backbone, pack, DescriptorCache.Open(cacheFolder, backbone.Id, backbone.Sha256Hex, pack.Dimension));
        }
        catch
        {
            attributes?.Dispose();
            pipeline?.Dispose();
            sessions.Dispose();
            throw;
        }
    }

    /// <summary>The estimator's guess for the photo's best face, as enrollment pre-fills it; null without a face or an estimator.</summary>
    public AttributeEstimate? EstimateAttributes(byte[] photo)
    {
        if (_attributes is null)
        {
            return null;
        }

        try
        {
            var decoded = _decoder.Decode(photo);
            return Pipeline.Analyze(decoded).BestFace(requireAccepted: false) is { } face ? _attributes.Estimate(decoded, face.Detection) : null;
        }
        catch (ImageRejectedException)
        {
            return null;
        }
    }

    /// <summary>Runs the protocol on these inputs.</summary>
    public EvaluationReport Run(
        EvaluationRunner runner, EvaluationDataset data, ImpostorDataset? impostors, string? command, string? commit,
        IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return runner.Run(data, photo => EvaluationRunner.BestFaceDescriptor(Pipeline, photo), Cache, Backbone, Pack, PackId, impostors,
            command, commit, progress, ct, EstimateAttributes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cache.Dispose();
        _attributes?.Dispose();
        Pipeline.Dispose();
        _decoder.Dispose();
        _sessions.Dispose();
    }
}
