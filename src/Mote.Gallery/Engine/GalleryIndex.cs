using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Engine;

/// <summary>
/// The whole gallery stacked for 1:N scoring: every template decrypted once into one batched scorer,
/// with each person's threshold. Rebuilt lazily after any enrollment, retraining or erasure
/// (<see cref="Invalidate"/>). Thread-safe singleton; the decrypted weights stay in this process's memory only.
/// </summary>
public sealed class GalleryIndex(IServiceScopeFactory scopes, TemplateProtector protector)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _snapshot;

    /// <summary>People in scorer order, their thresholds, and the scorer (null when the gallery is empty).</summary>
    public sealed record Snapshot(IReadOnlyList<(string Id, string Name)> People, float[] Thresholds, ITemplateScorer? Scorer);

    public void Invalidate() => _snapshot = null;

    public async Task<Snapshot> GetAsync(BackboneIdentity backbone, CancellationToken ct)
    {
        if (_snapshot is { } ready)
        {
            return ready;
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_snapshot is { } built)
            {
                return built;
            }
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
                var people = await db.People.AsNoTracking().OrderBy(p => p.EnrolledUtc).ToListAsync(ct).ConfigureAwait(false);
                var templates = people.Select(p => PersonRecords.OpenTemplate(p, protector, backbone)).ToList();
                var kinds = templates.Select(t => t.Kind).Distinct().ToList();
                if (kinds.Count > 1)
                {
                    throw new GalleryException("The gallery mixes model-templates and vector templates; 1:N needs one kind. Re-enroll the others.");
                }
                return _snapshot = new Snapshot(
                    people.Select(p => (p.Id, p.Name)).ToArray(),
                    people.Select(p => p.Threshold).ToArray(),
                    templates.Count == 0 ? null : TemplateScorers.Create(templates));
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
