using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>
/// The whole gallery ready for 1:N: every template decrypted once, with each person's threshold. Model-templates
/// go into a <see cref="ModelTemplateIdentifier"/> (an int8 screen over all of them, then exact fp32 rescoring of
/// the few that could pass: same answer as scoring each alone; per person about 303 KB fp32 plus 84 KB of screen
/// for the default architecture on faceplugin-fr, see docs/identification.md and docs/scale.md); vector templates into
/// a cosine scan. Rebuilt after any enrollment, retraining or erasure in this process (<see cref="Invalidate"/>) and,
/// because the CLI or a second portal may change the same database, whenever the gallery's fingerprint (people count,
/// latest enrollment and retraining) differs from the snapshot's, checked with three index lookups per lookup.
/// A rebuild is incremental: the people's rows are read without their templates, and only a person who is new or whose
/// record changed (another concurrency stamp, enrollment or retraining time, backbone or kind) is read, decrypted and
/// quantised again; everyone else keeps the template and screen already in memory (<see cref="Snapshot.Opened"/>,
/// <see cref="Snapshot.Kept"/>). Templates are read in chunks, so the encrypted blobs are never all in memory at once.
/// A template that fails its integrity check is left out (everyone else is still searched) and reported through
/// <see cref="TemplateIntegrity"/> (logged, audited once); <see cref="Snapshot.Damaged"/> lists them.
/// Thread-safe singleton; the decrypted weights stay in this process's memory only.
/// </summary>
public sealed class GalleryIndex(IServiceScopeFactory scopes, TemplateProtector protector, ILogger<GalleryIndex> log)
{
    /// <summary>People whose templates are read and decrypted in one query while the index is built.</summary>
    private const int ReadChunk = 256;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _snapshot;

    // What the last build opened, by person id (guarded by _gate), and its identifier, whose screens a rebuild reuses
    // for the templates it keeps. Invalidate drops the snapshot, not these: a record that changed has another key.
    private Dictionary<string, (string Key, ITemplate Template)> _opened = new(StringComparer.Ordinal);
    private ModelTemplateIdentifier? _lastIdentifier;

    /// <summary>People in template order, their thresholds, and the identifier (null when the gallery is empty).</summary>
    public sealed record Snapshot(IReadOnlyList<(string Id, string Name)> People, float[] Thresholds, ITemplateIdentifier? Identifier)
    {
        internal Fingerprint Version { get; init; }

        /// <summary>The backbone whose templates this snapshot holds (a migration switches it).</summary>
        internal BackboneIdentity? Backbone { get; init; }

        /// <summary>People left out because their stored template failed its integrity check.</summary>
        public IReadOnlyList<DamagedTemplate> Damaged { get; init; } = [];

        /// <summary>Templates this build read and decrypted (new or changed people).</summary>
        public int Opened { get; init; }

        /// <summary>Templates this build kept from the previous one (people whose record did not change).</summary>
        public int Kept { get; init; }
    }

    internal readonly record struct Fingerprint(int Count, long LatestEnrolled, long LatestRetrained);

    /// <summary>Drops the current snapshot so the next <see cref="GetAsync"/> rebuilds it (reusing the templates of people who did not change).</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>
    /// The snapshot of the people enrolled on <paramref name="backbone"/>: the one in memory when the gallery's fingerprint and the backbone
    /// are unchanged, else a rebuild (one at a time; concurrent callers wait for it). People on another backbone are left out and logged.
    /// </summary>
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
            // Three subqueries, each answered from an index (a MAX with others in one SELECT is a scan, and on SQLite a scan
            // of People reads every template blob: 1.85 s a lookup at 10,000 people, docs/scale.md).
            command.CommandText = "SELECT (SELECT COUNT(*) FROM \"People\"), " +
                "(SELECT COALESCE(MAX(\"EnrolledUtc\"), 0) FROM \"People\"), (SELECT COALESCE(MAX(\"RetrainedUtc\"), 0) FROM \"People\")";
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
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The rows without their templates: on SQLite a row's blob is read only when asked for.
        var stored = await db.People.AsNoTracking().OrderBy(p => p.EnrolledUtc)
            .Select(p => new Person
            {
                Id = p.Id, Name = p.Name, TemplateKind = p.TemplateKind, BackboneId = p.BackboneId, BackboneHash = p.BackboneHash,
                Threshold = p.Threshold, EnrolledUtc = p.EnrolledUtc, RetrainedUtc = p.RetrainedUtc, ConcurrencyStamp = p.ConcurrencyStamp,
            })
            .ToListAsync(ct).ConfigureAwait(false);
        var onBackbone = new List<Person>(stored.Count);
        foreach (var person in stored)
        {
            if (PersonRowMapper.IsOn(person, backbone))
            {
                onBackbone.Add(person);
            }
            else
            {
                // Left behind by a backbone migration (no kept photo): their template cannot score this backbone's probes,
                // and they must not stop 1:N for everyone else. Their own page and 1:1 say why.
                log.LogWarning("1:N leaves out {Person}: enrolled with backbone {PersonBackbone}, the gallery uses {Backbone}.", person.Id, person.BackboneId, backbone.Id);
            }
        }

        var opened = new Dictionary<string, (string Key, ITemplate Template)>(onBackbone.Count, StringComparer.Ordinal);
        var toOpen = new List<Person>();
        foreach (var person in onBackbone)
        {
            var key = KeyOf(person);
            if (_opened.TryGetValue(person.Id, out var known) && known.Key == key)
            {
                opened[person.Id] = known;
            }
            else
            {
                toOpen.Add(person);
            }
        }
        var kept = opened.Count;

        var damaged = new List<DamagedTemplate>();
        foreach (var chunk in toOpen.Chunk(ReadChunk))
        {
            var ids = chunk.Select(p => p.Id).ToList();
            var blobs = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id))
                .Select(p => new { p.Id, p.TemplateBlob }).ToDictionaryAsync(p => p.Id, p => p.TemplateBlob, ct).ConfigureAwait(false);
            foreach (var person in chunk)
            {
                if (!blobs.TryGetValue(person.Id, out var blob))
                {
                    continue; // erased since the rows were read: the next lookup sees the new fingerprint
                }
                person.TemplateBlob = blob;
                try
                {
                    opened[person.Id] = (KeyOf(person), PersonRowMapper.OpenTemplate(person, protector, backbone));
                }
                catch (TemplateIntegrityException e)
                {
                    // One damaged template used to fail 1:N for everyone (issue 14 item 11): leave it out, say so.
                    var entry = new DamagedTemplate(person.Id, person.Name, e.Message);
                    damaged.Add(entry);
                    await TemplateIntegrity.RecordAsync(db, audit, log, person, entry, ct).ConfigureAwait(false);
                }
                person.TemplateBlob = [];
            }
        }

        var people = onBackbone.Where(p => opened.ContainsKey(p.Id)).ToList();
        var templates = people.Select(p => opened[p.Id].Template).ToList();
        var kinds = templates.Select(t => t.Kind).Distinct().ToList();
        if (kinds.Count > 1)
        {
            throw new GalleryException("The gallery mixes model-templates and vector templates; 1:N needs one kind. Re-enroll the others.");
        }
        var identifier = templates.Count == 0 ? null : Identifier(templates, _lastIdentifier);
        _opened = opened;
        _lastIdentifier = identifier as ModelTemplateIdentifier;
        if (toOpen.Count > 0)
        {
            log.LogInformation("1:N index built: {People} people, {Opened} templates opened, {Kept} kept, in {Seconds:F1} s.", people.Count, toOpen.Count, kept, clock.Elapsed.TotalSeconds);
        }
        return new Snapshot(
            people.Select(p => (p.Id, p.Name)).ToArray(),
            people.Select(p => p.Threshold).ToArray(),
            identifier) { Version = version, Damaged = damaged, Backbone = backbone, Opened = toOpen.Count - damaged.Count, Kept = kept };
    }

    // What identifies one stored version of a person's template: any enrollment, retraining, edit or migration changes it.
    private static string KeyOf(Person p) => string.Join('|', p.ConcurrencyStamp, p.EnrolledUtc.UtcTicks, p.RetrainedUtc?.UtcTicks ?? 0, p.TemplateKind, p.BackboneId, p.BackboneHash);

    // A single door probe is what identify serves, so model-templates get the screened single-probe path
    // (exact scores); a cosine scan over vectors is already cheap.
    private static ITemplateIdentifier Identifier(IReadOnlyList<ITemplate> templates, ModelTemplateIdentifier? previous) =>
        templates[0] is ModelTemplate
            ? new ModelTemplateIdentifier(templates.Cast<ModelTemplate>().ToArray(), previous)
            : new ScorerIdentifier(TemplateScorers.Create(templates));
}
