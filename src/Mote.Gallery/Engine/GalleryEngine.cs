using Mote.Core.Population.Sampling;
using Mote.Core.Models;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;
using Mote.Gallery.Models;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Engine;

/// <summary>Builds the face analyzer for a provisioned model pack.</summary>
public interface IFaceAnalyzerFactory
{
    /// <summary>The backbone a new gallery starts on (<c>Mote:Faces:Backbone</c>).</summary>
    string ConfiguredBackbone { get; }

    /// <summary>An analyzer describing faces with <paramref name="backbone"/> (a <see cref="Core.Faces.Descriptors.FaceDescribers.Known"/> id);
    /// null = <see cref="ConfiguredBackbone"/>.</summary>
    IFaceAnalyzer Create(ModelPack pack, string? backbone = null);
}

/// <summary>
/// The engine parts the use cases share, created lazily once per process: the face analyzers (after the
/// model pack is ready; one per backbone asked for), the population packs (one per backbone), and the trainer.
/// Thread-safe singleton.
/// </summary>
public sealed class GalleryEngine(ModelPackService models, IFaceAnalyzerFactory analyzers, EngineSettings settings, PopulationPackLocator packs, CustomModelSettings? custom = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _populationGate = new();
    private readonly Dictionary<string, IFaceAnalyzer> _analyzers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PopulationPack> _populations = new(StringComparer.Ordinal);

    /// <summary>The engine settings (<c>Mote:Engine</c>) the engine was built with.</summary>
    public EngineSettings Settings => settings;

    /// <summary>The backbone a new gallery starts on and the terminal's face tools use (<c>Mote:Faces:Backbone</c>).</summary>
    public string ConfiguredBackbone => analyzers.ConfiguredBackbone;

    /// <summary>The analyzer of the configured backbone (<see cref="ConfiguredBackbone"/>); provisions the model pack first if this process has not yet.
    /// Use cases that decide about the gallery use <see cref="People.GalleryBackbone.GetGalleryAnalyzerAsync"/> instead.</summary>
    public Task<IFaceAnalyzer> GetAnalyzerAsync(CancellationToken ct = default) => GetAnalyzerAsync(ConfiguredBackbone, ct);

    /// <summary>The user's own models (<c>Mote:Faces:Custom</c>) for a pipeline built outside the analyzers (evaluations); null when not configured here.</summary>
    public Core.Faces.Descriptors.CustomModelFactory? CustomModels(OnnxSessionFactory sessions) => custom?.Factory(sessions);

    /// <summary>
    /// The analyzer describing faces with <paramref name="backbone"/> (created once per process): a built-in backbone's id or
    /// <c>custom</c>, or the id a custom model records in templates (<c>Mote:Faces:Custom:Recognition:BackboneId</c>, which is
    /// what a gallery enrolled on it stores), which selects the configured custom model.
    /// </summary>
    /// <exception cref="GalleryException">Kind <see cref="GalleryErrorKind.Conflict"/>: <paramref name="backbone"/> is neither built in
    /// nor the configured custom model's id.</exception>
    public async Task<IFaceAnalyzer> GetAnalyzerAsync(string backbone, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backbone);
        if (!Core.Faces.Descriptors.FaceDescribers.Known.Contains(backbone, StringComparer.Ordinal))
        {
            var configured = await GetAnalyzerAsync(Core.Faces.Descriptors.FaceDescribers.Custom, ct).ConfigureAwait(false);
            return string.Equals(configured.Backbone.Id, backbone, StringComparison.Ordinal)
                ? configured
                : throw new GalleryException(
                    $"This gallery's templates were made with backbone '{backbone}', which is not built in and not the configured custom model ('{configured.Backbone.Id}'). "
                    + $"Configure that model under {Core.Faces.Descriptors.CustomModelOptions.SectionName} again, or move the gallery with `mote gallery migrate --backbone <id>`.",
                    GalleryErrorKind.Conflict);
        }
        lock (_analyzers)
        {
            if (_analyzers.TryGetValue(backbone, out var ready))
            {
                return ready;
            }
        }
        var pack = await models.GetAsync(ct).ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_analyzers)
            {
                if (_analyzers.TryGetValue(backbone, out var built))
                {
                    return built;
                }
            }
            var created = analyzers.Create(pack, backbone);
            lock (_analyzers)
            {
                _analyzers[backbone] = created;
            }
            return created;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The population pack for <paramref name="backbone"/> (loaded once per backbone; see <see cref="PopulationPackLocator"/>).</summary>
    /// <exception cref="GalleryException">No pack for this backbone, or the pack was built with other weights of it.</exception>
    public PopulationPack GetPopulation(BackboneIdentity backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        lock (_populationGate)
        {
            if (!_populations.TryGetValue(backbone.Id, out var population))
            {
                population = packs.Load(backbone.Id);
                _populations[backbone.Id] = population;
            }
            if (!string.Equals(population.BackboneId, backbone.Id, StringComparison.Ordinal)
                || !string.Equals(population.BackboneManifestHash, backbone.Sha256Hex, StringComparison.OrdinalIgnoreCase))
            {
                throw new GalleryException(
                    $"The population pack was built for backbone {population.BackboneId} ({Short(population.BackboneManifestHash)}), but the " +
                    $"face pipeline uses {backbone.Id} ({Short(backbone.Sha256Hex)}). Build a pack for this backbone with `mote population build --backbone {backbone.Id}`.");
            }
            return population;
        }
    }

    /// <summary>
    /// The provenance of the population pack for <paramref name="backbone"/> (e.g. the groups it left out when it was built),
    /// for the balance editor to name; loads the pack once, like <see cref="GetPopulation"/>, without the weights check
    /// (reading the record needs no model pack).
    /// </summary>
    public PopulationProvenance PopulationProvenance(string backbone)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backbone);
        lock (_populationGate)
        {
            if (!_populations.TryGetValue(backbone, out var population))
            {
                population = packs.Load(backbone);
                _populations[backbone] = population;
            }
            return population.Provenance;
        }
    }

    /// <summary>A trainer for templates on <paramref name="backboneId"/> (see <see cref="TrainerOptionsFor"/>).</summary>
    public TemplateTrainer CreateTrainer(string backboneId) => new(TrainerOptionsFor(backboneId));

    /// <summary>How training sets are sampled (the engine's variation scale; 2,000 positives and 4,000 negatives).</summary>
    public TrainingSetOptions SamplingOptions => TrainingSetOptions.Engine with { VariationScale = settings.VariationScale, HardNegativeShare = settings.HardNegativeShare };

    /// <summary>Everything that shapes a model-template's logits on <paramref name="backboneId"/> besides the pack: what a pack's
    /// model calibration must match.</summary>
    public string TemplateSignatureFor(string backboneId) => TrainerOptionsFor(backboneId).SignatureWith(SamplingOptions);

    /// <summary>
    /// The trainer options the engine's settings give for templates on <paramref name="backboneId"/> (architecture, anchor,
    /// cap, jitter): the anchor is the backbone's measured one (<see cref="TemplateTrainerOptions.EngineFor"/>) unless
    /// <c>Mote:Engine:AnchorScale</c>/<c>AnchorCosine</c> set it.
    /// </summary>
    public TemplateTrainerOptions TrainerOptionsFor(string backboneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backboneId);
        var anchor = TemplateTrainerOptions.EngineFor(backboneId);
        var options = (settings.CompactArchitecture ? TemplateTrainerOptions.Compact : TemplateTrainerOptions.Default)
            with
        {
            AnchorScale = settings.AnchorScale ?? anchor.AnchorScale,
            AnchorCosine = settings.AnchorCosine ?? anchor.AnchorCosine,
            CorrectionCap = settings.CorrectionCap,
            MaxEpochs = settings.MaxEpochs,
            GuardStrength = settings.GuardStrength,
        };
        return settings.WidthJitter > 0 ? options with { WidthJitter = settings.WidthJitter } : options;
    }

    /// <summary>Disposes the analyzers created so far (their native sessions) and the gate.</summary>
    public void Dispose()
    {
        foreach (var analyzer in _analyzers.Values)
        {
            (analyzer as IDisposable)?.Dispose();
        }
        _gate.Dispose();
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}

/// <summary>
/// Finds and loads population packs. For a backbone: the configured pack (<c>Mote:Engine:PopulationPack</c>) when it was built
/// for that backbone, else a pack named for it in <paramref name="extraPacks"/> (tests), else the one that ships with Mote
/// (<c>population/&lt;backbone&gt;.motepop</c> beside the app, else <c>src/Mote.Core/Population/Default/&lt;backbone&gt;.motepop</c>).
/// </summary>
/// <param name="settings">The engine settings (read only).</param>
/// <param name="contentRoot">Where relative paths start.</param>
/// <param name="extraPacks">Pack files by backbone id, consulted after the configured pack; null = none.</param>
public sealed class PopulationPackLocator(EngineSettings settings, string contentRoot, IReadOnlyDictionary<string, string>? extraPacks = null)
{
    /// <summary>Where the packs that ship with Mote live, relative to the content root (one <c>&lt;backbone&gt;.motepop</c> each).</summary>
    public const string DefaultPackFolder = "src/Mote.Core/Population/Default";

    /// <summary>Where the pack for <paramref name="backbone"/> is looked for first; the file may not exist (see the class summary).</summary>
    public string ResolvePath(string backbone)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backbone);
        if (!string.IsNullOrWhiteSpace(settings.PopulationPack))
        {
            var configured = Hosting.ContentRoot.Resolve(contentRoot, settings.PopulationPack);
            // A configured file that is missing is named in the refusal rather than passed over.
            if (!File.Exists(configured) || BackboneOf(configured) == backbone)
            {
                return configured;
            }
        }
        if (extraPacks is not null && extraPacks.TryGetValue(backbone, out var extra))
        {
            return extra;
        }
        return ShippedPath(backbone);
    }

    /// <summary>Whether a pack for <paramref name="backbone"/> exists (see <see cref="ResolvePath(string)"/>).</summary>
    public bool Exists(string backbone) => File.Exists(ResolvePath(backbone));

    private string ShippedPath(string backbone)
    {
        var file = backbone + ".motepop";
        var besideApp = Path.Combine(AppContext.BaseDirectory, "population", file);
        return File.Exists(besideApp) ? besideApp : Hosting.ContentRoot.Resolve(contentRoot, Path.Combine(DefaultPackFolder, file));
    }

    // Which backbone the configured pack was built for, by path and the file's write time: telling needs the whole pack read
    // (13 MB for faceplugin-fr), and the overview, the Model pack page and every pack lookup ask.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Written, string? Backbone)> _builtFor = new(StringComparer.Ordinal);

    private string? BackboneOf(string path)
    {
        var written = File.GetLastWriteTimeUtc(path);
        if (_builtFor.TryGetValue(path, out var known) && known.Written == written)
        {
            return known.Backbone;
        }
        string? backbone;
        try
        {
            backbone = PopulationPackFile.Load(path).BackboneId;
        }
        catch (Exception e) when (e is PopulationPackFormatException or IOException)
        {
            backbone = null;
        }
        _builtFor[path] = (written, backbone);
        return backbone;
    }

    /// <summary>Loads the pack for <paramref name="backbone"/>.</summary>
    /// <exception cref="GalleryException">There is none, or it cannot be read.</exception>
    public PopulationPack Load(string backbone)
    {
        var path = ResolvePath(backbone);
        if (!File.Exists(path))
        {
            throw new GalleryException($"No population pack for backbone {backbone} (looked for {path}). Build one with `mote population build --backbone {backbone}` and set Mote:Engine:PopulationPack to its path.");
        }
        return Read(path);
    }

    private static PopulationPack Read(string path)
    {
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
