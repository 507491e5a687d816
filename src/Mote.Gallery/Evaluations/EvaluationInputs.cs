using Mote.Core.Evaluation;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Gallery.Evaluations;

/// <summary>
/// What an evaluation reads photos with, the same for <c>mote evaluate</c> and the portal's <see cref="EvaluationJobs"/>:
/// a face pipeline fixed to the dlib backbone (so figures compare with the default pack and with each other), the
/// population pack for that backbone with the id templates store, and the descriptor cache. Disposes the pipeline and
/// the cache.
/// </summary>
public sealed class EvaluationInputs : IDisposable
{
    private EvaluationInputs(FacePipeline pipeline, BackboneIdentity backbone, PopulationPack pack, DescriptorCache cache)
    {
        Pipeline = pipeline;
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
    public string PackId => PersonTemplates.PackId(Pack);

    /// <summary>The descriptor cache (one writer at a time: the portal and the terminal use different folders).</summary>
    public DescriptorCache Cache { get; }

    /// <summary>Opens the pipeline on <paramref name="modelPack"/>, the engine's population pack and the cache in <paramref name="cacheFolder"/>.</summary>
    public static EvaluationInputs Open(ModelPack modelPack, GalleryEngine engine, string cacheFolder)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, modelPack);
        try
        {
            var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
            var pack = engine.GetPopulation(backbone);
            return new EvaluationInputs(pipeline, backbone, pack, DescriptorCache.Open(cacheFolder, backbone.Id, backbone.Sha256Hex, pack.Dimension));
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }

    /// <summary>Runs the protocol on these inputs.</summary>
    public EvaluationReport Run(
        EvaluationRunner runner, EvaluationDataset data, ImpostorDataset? impostors, string? command, string? commit,
        IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return runner.Run(data, photo => EvaluationRunner.BestFaceDescriptor(Pipeline, photo), Cache, Backbone, Pack, PackId, impostors,
            command, commit, progress, ct);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cache.Dispose();
        Pipeline.Dispose();
    }
}
