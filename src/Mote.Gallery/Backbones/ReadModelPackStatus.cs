using Mote.Core.Population.Packs;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Backbones;

/// <summary>One provisioned model as the settings page lists it.</summary>
/// <param name="Id">The model id (e.g. <c>blazeface</c>).</param>
/// <param name="Source">The npm package it came from, <c>name@version</c>.</param>
/// <param name="TarballSha512">The pinned SHA-512 (base64) of that package tarball.</param>
/// <param name="OnnxSha256">SHA-256 (hex) of the converted ONNX file the cache is checked against.</param>
/// <param name="PackageLicense">Licence of the package code.</param>
/// <param name="WeightsLicense">Licence of the weights, as recorded from the package.</param>
/// <param name="LicenseNotes">What else the licence record says.</param>
public sealed record ModelStatusRow(string Id, string Source, string TarballSha512, string OnnxSha256, string PackageLicense, string WeightsLicense, string LicenseNotes);

/// <summary>The population pack of the gallery's backbone and where it came from; <paramref name="Error"/> when it cannot be read.</summary>
public sealed record PopulationPackStatus(
    string Path,
    string? BackboneId,
    string? BackboneManifestHash,
    int Dimension,
    string? DensityKind,
    bool ContainsRawVectors,
    PopulationProvenance? Provenance,
    string? Error);

/// <summary>What the settings page shows about the models: provisioning state, each model, the cache, the population pack.</summary>
public sealed record ModelPackStatusView(ModelPackState State, string CacheDir, IReadOnlyList<ModelStatusRow> Models, PopulationPackStatus Population);

/// <summary>
/// Reports the model pack's state in this process (not started, preparing, ready, failed), each provisioned
/// model's source, hashes and licence, the cache folder, and the population pack of the gallery's backbone (the one its
/// decisions are read on: <see cref="GalleryBackbone"/>, else the configured backbone for a gallery nobody is enrolled in yet).
/// Needs <see cref="Permission.ManageSettings"/>; read-only, starts nothing.
/// </summary>
public sealed class ReadModelPackStatus(ModelPackService models, PopulationPackLocator populations, MoteDbContext db, GalleryEngine engine)
{
    /// <summary>The view for the backbone whose population pack the gallery's decisions use (<see cref="PackBackboneAsync"/>).</summary>
    public async Task<ModelPackStatusView> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return Read(await PackBackboneAsync(ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The view again for a backbone read before (<see cref="PackBackboneAsync"/>), without touching the database: for a page
    /// that follows provisioning live from a background thread.
    /// </summary>
    public ModelPackStatusView Execute(Actor actor, string backbone)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(backbone);
        actor.Demand(Permission.ManageSettings);
        return Read(backbone);
    }

    /// <summary>The backbone whose population pack the gallery's decisions use: the gallery's own, else the configured one.</summary>
    public Task<string> PackBackboneAsync(CancellationToken ct = default) => engine.GalleryBackboneIdAsync(db, ct);

    /// <summary>The same view without a permission check, for use cases that demand their own (the compliance report).</summary>
    internal async Task<ModelPackStatusView> ReadAsync(CancellationToken ct) => Read(await PackBackboneAsync(ct).ConfigureAwait(false));

    private ModelPackStatusView Read(string backbone)
    {
        var state = models.State;
        var rows = state.Pack is { } pack
            ? pack.Models.Values.OrderBy(m => m.Id, StringComparer.Ordinal)
                .Select(m => new ModelStatusRow(m.Id, m.Manifest.Source, m.Manifest.TarballSha512, m.Manifest.OnnxSha256,
                    m.Manifest.License.Package, m.Manifest.License.Weights, m.Manifest.License.Notes))
                .ToArray()
            : [];
        return new ModelPackStatusView(state, state.Pack?.CacheDir ?? models.Options.CacheDir, rows, ReadPopulation(backbone));
    }

    private PopulationPackStatus ReadPopulation(string backbone)
    {
        var path = populations.ResolvePath(backbone);
        try
        {
            var pack = populations.Load(backbone);
            return new PopulationPackStatus(path, pack.BackboneId, pack.BackboneManifestHash, pack.Dimension, pack.DensityKind.ToString(),
                pack.ContainsRawVectors, pack.Provenance, null);
        }
        catch (GalleryException e)
        {
            return new PopulationPackStatus(path, null, null, 0, null, false, null, e.Message);
        }
    }
}
