using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Engine;

/// <summary>
/// The whole gallery ready for 1:N: every template decrypted once, with each person's threshold. Model-templates
/// go into a <see cref="ModelTemplateIdentifier"/> (an int8 screen over all of them, then exact fp32 rescoring of
/// the few that could pass: same answer as scoring each alone; per person about 103 KB fp32 plus 28 KB of screen
/// for the default architecture, see docs/identification.md); vector templates into a cosine scan. Rebuilt
/// lazily after any enrollment, retraining or erasure in this process (<see cref="Invalidate"/>) and, because the
/// CLI or a second portal may change the same database file, whenever the gallery's fingerprint (people count,
/// latest enrollment and retraining) differs from the snapshot's, checked with one indexed query per lookup.
/// A template that fails its integrity check is left out (everyone else is still searched) and reported through
/// <see cref="TemplateIntegrity"/> (logged, audited once); <see cref="Snapshot.Damaged"/> lists them.
/// Thread-safe singleton; the decrypted weights stay in this process's memory only.
/// </summary>
public sealed class GalleryIndex(IServiceScopeFactory scopes, TemplateProtector protector, ILogger<GalleryIndex> log)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _snapshot;

    /// <summary>People in template order, their thresholds, and the identifier (null when the gallery is empty).</summary>
    public sealed record Snapshot(IReadOnlyList<(string Id, string Name)> People, float[] Thresholds, ITemplateIdentifier? Identifier)
    {
        internal Fingerprint Version { get; init; }

        /// <summary>The backbone whose templates this snapshot holds (a migration switches it).</summary>
        internal BackboneIdentity? Backbone { get; init; }

        /// <summary>People left out because their stored template failed its integrity check.</summary>
        public IReadOnlyList<DamagedTemplate> Damaged { get; init; } = [];
    }

    internal readonly record struct Fingerprint(int Count, long LatestEnrolled, long LatestRetrained);

    public void Invalidate() => _snapshot = null;

    public async Task<Snapshot> GetAsync(BackboneIdentity backbone, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var version = await FingerprintAsync(db, ct).ConfigureAwait(false);
            if (_snapshot is { } ready && ready.Version == version && Equals(ready.Backbone, backbone))
            {
                return ready;
            }
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (_snapshot is { } built && built.Version == version && Equals(built.Backbone, backbone))
                {
                    return built;
                }
                return _snapshot = await BuildAsync(db, scope.ServiceProvider.GetRequiredService<Audit.AuditTrail>(), backbone, ct).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private static async Task<Fingerprint> FingerprintAsync(MoteDbContext db, CancellationToken ct)
    {
        // The stored columns are UTC ticks; read them raw so SQLite aggregates integers (EF cannot MAX a converted DateTimeOffset).
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            // Quoted, COALESCE: the same SQL on SQLite and PostgreSQL (where another instance's change is noticed the same way).
            command.CommandText = "SELECT COUNT(*), COALESCE(MAX(\"EnrolledUtc\"), 0), COALESCE(MAX(\"RetrainedUtc\"), 0) FROM \"People\"";
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                return new Fingerprint(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1), reader.GetInt64(2));
            }
        }
    }

    private async Task<Snapshot> BuildAsync(MoteDbContext db, Audit.AuditTrail audit, BackboneIdentity backbone, CancellationToken ct)
    {
        // Read again: a change between the check and this read makes the next lookup rebuild once more, never serve stale data.
        var version = await FingerprintAsync(db, ct).ConfigureAwait(false);
        var stored = await db.People.AsNoTracking().OrderBy(p => p.EnrolledUtc).ToListAsync(ct).ConfigureAwait(false);
        var people = new List<Person>(stored.Count);
        var templates = new List<ITemplate>(stored.Count);
        var damaged = new List<DamagedTemplate>();
        foreach (var person in stored)
        {
            if (!PersonRecords.IsOn(person, backbone))
            {
                // Left behind by a backbone migration (no kept photo): their template cannot score this backbone's probes,
                // and they must not stop 1:N for everyone else. Their own page and 1:1 say why.
                log.LogWarning("1:N leaves out {Person}: enrolled with backbone {PersonBackbone}, the gallery uses {Backbone}.", person.Id, person.BackboneId, backbone.Id);
                continue;
            }
            try
            {
                templates.Add(PersonRecords.OpenTemplate(person, protector, backbone));
                people.Add(person);
            }
            catch (TemplateIntegrityException e)
            {
                // One damaged template used to fail 1:N for everyone (issue 14 item 11): leave it out, say so.
                var entry = new DamagedTemplate(person.Id, person.Name, e.Message);
                damaged.Add(entry);
                await TemplateIntegrity.RecordAsync(db, audit, log, person, entry, ct).ConfigureAwait(false);
            }
        }
        var kinds = templates.Select(t => t.Kind).Distinct().ToList();
        if (kinds.Count > 1)
        {
            throw new GalleryException("The gallery mixes model-templates and vector templates; 1:N needs one kind. Re-enroll the others.");
        }
        return new Snapshot(
            people.Select(p => (p.Id, p.Name)).ToArray(),
            people.Select(p => p.Threshold).ToArray(),
            templates.Count == 0 ? null : Identifier(templates)) { Version = version, Damaged = damaged, Backbone = backbone };
    }

    // A single door probe is what identify serves, so model-templates get the screened single-probe path
    // (exact scores); a cosine scan over vectors is already cheap.
    private static ITemplateIdentifier Identifier(IReadOnlyList<ITemplate> templates) =>
        templates[0] is ModelTemplate
            ? new ModelTemplateIdentifier(templates.Cast<ModelTemplate>().ToArray())
            : new ScorerIdentifier(TemplateScorers.Create(templates));
}
