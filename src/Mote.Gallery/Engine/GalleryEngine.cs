using Mote.Core.Population.Sampling;
using Mote.Core.Models;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;
using Mote.Gallery.Models;

namespace Mote.Gallery.Engine;

/// <summary>Builds the face analyzer for a provisioned model pack.</summary>
public interface IFaceAnalyzerFactory
{
    IFaceAnalyzer Create(ModelPack pack);
}

/// <summary>
/// The engine parts the use cases share, created lazily once per process: the face analyzer (after the
/// model pack is ready), the population pack, and the trainer. Thread-safe singleton.
/// </summary>
public sealed class GalleryEngine(ModelPackService models, IFaceAnalyzerFactory analyzers, EngineSettings settings, PopulationPackLocator packs) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _populationGate = new();
    private IFaceAnalyzer? _analyzer;
    private PopulationPack? _population;

    public EngineSettings Settings => settings;

    /// <summary>The analyzer; provisions the model pack first if this process has not yet.</summary>
    public async Task<IFaceAnalyzer> GetAnalyzerAsync(CancellationToken ct = default)
    {
        if (_analyzer is { } ready)
        {
            return ready;
        }
        var pack = await models.GetAsync(ct).ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _analyzer ??= analyzers.Create(pack);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The population pack (loaded once); it must belong to the analyzer's backbone.</summary>
    public PopulationPack GetPopulation(BackboneIdentity backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        lock (_populationGate)
        {
            _population ??= packs.Load();
            if (!string.Equals(_population.BackboneId, backbone.Id, StringComparison.Ordinal)
                || !string.Equals(_population.BackboneManifestHash, backbone.Sha256Hex, StringComparison.OrdinalIgnoreCase))
            {
                throw new GalleryException(
                    $"The population pack was built for backbone {_population.BackboneId} ({Short(_population.BackboneManifestHash)}), but the " +
                    $"face pipeline uses {backbone.Id} ({Short(backbone.Sha256Hex)}). Build a pack for this backbone with `mote population build`.");
            }
            return _population;
        }
    }

    /// <summary>
    /// The provenance of the population pack in use (e.g. the groups it left out when it was built), for the balance
    /// editor to name; loads the pack once, like <see cref="GetPopulation"/>, without the backbone check (reading the
    /// record needs no model pack).
    /// </summary>
    public PopulationProvenance PopulationProvenance()
    {
        lock (_populationGate)
        {
            _population ??= packs.Load();
            return _population.Provenance;
        }
    }

    public TemplateTrainer CreateTrainer() => new(TrainerOptions);

    /// <summary>How training sets are sampled (the engine's variation scale; 2,000 positives and 4,000 negatives).</summary>
    public TrainingSetOptions SamplingOptions => TrainingSetOptions.Engine with { VariationScale = settings.VariationScale, HardNegativeShare = settings.HardNegativeShare };

    /// <summary>Everything that shapes a model-template's logits besides the pack: what a pack's model calibration must match.</summary>
    public string TemplateSignature => TrainerOptions.SignatureWith(SamplingOptions);

    /// <summary>The trainer options the engine's settings give (architecture, anchor, jitter).</summary>
    public TemplateTrainerOptions TrainerOptions
    {
        get
        {
            var options = (settings.CompactArchitecture ? TemplateTrainerOptions.Compact : TemplateTrainerOptions.Default)
                with { AnchorScale = settings.AnchorScale, AnchorCosine = settings.AnchorCosine, CorrectionCap = settings.CorrectionCap, MaxEpochs = settings.MaxEpochs, GuardStrength = settings.GuardStrength };
            return settings.WidthJitter > 0 ? options with { WidthJitter = settings.WidthJitter } : options;
        }
    }

    public void Dispose()
    {
        (_analyzer as IDisposable)?.Dispose();
        _gate.Dispose();
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}

/// <summary>Finds and loads the configured population pack, or the default one that ships with Mote.</summary>
public sealed class PopulationPackLocator(EngineSettings settings, string contentRoot)
{
    /// <summary>Where the default pack lives, relative to the content root.</summary>
    public const string DefaultPackPath = "src/Mote.Core/Population/Default/dlib-resnet.motepop";

    public string ResolvePath()
    {
        if (!string.IsNullOrWhiteSpace(settings.PopulationPack))
        {
            return Hosting.ContentRoot.Resolve(contentRoot, settings.PopulationPack);
        }
        var besideApp = Path.Combine(AppContext.BaseDirectory, "population", Path.GetFileName(DefaultPackPath));
        return File.Exists(besideApp) ? besideApp : Hosting.ContentRoot.Resolve(contentRoot, DefaultPackPath);
    }

    public PopulationPack Load()
    {
        var path = ResolvePath();
        if (!File.Exists(path))
        {
            throw new GalleryException($"No population pack at {path}. Build one with `mote population build` and set Mote:Engine:PopulationPack to its path.");
        }
        try
        {
            return PopulationPackFile.Load(path);
        }
        catch (PopulationPackFormatException e)
        {
            throw new GalleryException($"The population pack {path} cannot be read: {e.Message}");
        }
    }
}
