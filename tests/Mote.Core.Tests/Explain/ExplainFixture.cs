using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Explain;

/// <summary>A real face: its aligned crop and descriptor from the pipeline, on a face-api demo photo.</summary>
public sealed record RealFace(string Photo, int Index, RgbImage Crop, float[] Descriptor);

/// <summary>
/// Real faces of the six face-api demo photos (pipeline, aligned crops kept), the default population pack,
/// and model-templates trained for the first few faces as enrollment trains them (fewer epochs, for time).
/// </summary>
public sealed class ExplainFixture
{
    private static readonly Lock Shared = new();
    private static ExplainFixture? instance;

    private readonly Dictionary<int, ModelTemplate> _templates = [];
    private readonly Lock _gate = new();

    /// <summary>One instance per test process (native sessions and trained templates are shared; the process owns them).</summary>
    public static ExplainFixture Get(ModelPackFixture models)
    {
        lock (Shared)
        {
            return instance ??= new ExplainFixture(models);
        }
    }

    private ExplainFixture(ModelPackFixture models)
    {
        Pack = models.Pack;
        Pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id, KeepAlignedCrops = true }, models.Pack);
        var dir = PinnedPackageCache.GetAsync(PinnedPackages.FaceApi).GetAwaiter().GetResult();
        var faces = new List<RealFace>();
        for (var p = 1; p <= 6; p++)
        {
            var file = $"sample{p}.jpg";
            var analysis = Pipeline.Analyze(File.ReadAllBytes(Path.Combine(dir, "demo", file)));
            faces.AddRange(analysis.Faces.Select((f, i) => new RealFace(file, i, f.AlignedCrop!, f.Descriptor)));
        }
        Faces = faces;
        Population = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));
        Net = new Mote.Core.Explain.DlibResNetTorch(models.Pack["face_recognition_model"]);
    }

    public ModelPack Pack { get; }

    public FacePipeline Pipeline { get; }

    public IReadOnlyList<RealFace> Faces { get; }

    public PopulationPack Population { get; }

    public Mote.Core.Explain.DlibResNetTorch Net { get; }

    /// <summary>The template of face <paramref name="i"/> (trained once, seed = i).</summary>
    public ModelTemplate TemplateOf(int i)
    {
        lock (_gate)
        {
            if (!_templates.TryGetValue(i, out var template))
            {
                var sample = new TrainingSetSampler(Population).Sample(Faces[i].Descriptor, null, seed: i);
                var backbone = new BackboneIdentity(Pipeline.Describer.BackboneId, Pipeline.Describer.BackboneHash);
                template = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 30 })
                    .Train(Mote.Core.Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives), i, new ModelTemplateProvenance(backbone, "test", []));
                _templates[i] = template;
            }
            return template;
        }
    }

}
