using System.Globalization;
using System.Text;
using System.Text.Json;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>
/// Writes the (filtered) trail as CSV or JSON, oldest first, with the chain status at export time (of the whole chain,
/// whatever the filter) and, in JSON, the filter applied.
/// Needs <see cref="Permission.ViewAudit"/>; the export itself is recorded as one
/// <see cref="AuditEventCode.AuditExported"/> event, since it copies personal data out of the system.
/// </summary>
public sealed class ExportAuditTrail(ListAuditEvents list, AuditVerifier verifier, AuditTrail audit)
{
    /// <param name="actor">Who asks; recorded as the exporter.</param>
    /// <param name="format">"csv" or "json" (case-insensitive); anything else is refused.</param>
    /// <param name="output">Where the export is written; left open.</param>
    /// <param name="filter">Which events to export; null: all of them.</param>
    /// <param name="ct">Cancels the export.</param>
    public async Task ExecuteAsync(Actor actor, string format, Stream output, AuditFilter? filter = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(output);
        actor.Demand(Permission.ViewAudit);
        format = (format ?? "").Trim().ToLowerInvariant();
        if (format is not ("csv" or "json"))
        {
            throw new GalleryException($"Unknown export format '{format}': use csv or json.");
        }
        var status = await verifier.VerifyAsync(actor, ct).ConfigureAwait(false);
        var rows = list.StreamAsync(actor, filter);
        if (format == "csv")
        {
            await WriteCsvAsync(output, rows, ct).ConfigureAwait(false);
        }
        else
        {
            await WriteJsonAsync(output, rows, status, filter ?? new AuditFilter(), ct).ConfigureAwait(false);
        }
        // The filter is recorded (the whole trail unless one was given), so an auditor sees what left the system.
        await audit.AppendAsync(actor, AuditEventCode.AuditExported, null, $"{format}; {(filter ?? new AuditFilter()).Describe()}; chain: {status.Summary}", ct).ConfigureAwait(false);
    }

    private static async Task WriteCsvAsync(Stream output, IAsyncEnumerable<AuditEntry> rows, CancellationToken ct)
    {
        var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync("sequence,occurred_utc,code,event,actor_kind,actor_id,actor_name,subject_id,detail,payload_erased").ConfigureAwait(false);
            await foreach (var r in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                await writer.WriteLineAsync(string.Join(',',
                    r.Sequence.ToString(CultureInfo.InvariantCulture),
                    r.OccurredUtc.ToString("O", CultureInfo.InvariantCulture),
                    r.Code.ToString(CultureInfo.InvariantCulture),
                    Csv(((AuditEventCode)r.Code).ToString()),
                    r.ActorKind.ToString(CultureInfo.InvariantCulture),
                    Csv(r.ActorId), Csv(r.ActorName), Csv(r.SubjectId), Csv(r.Detail),
                    r.PayloadErased ? "true" : "false")).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteJsonAsync(Stream output, IAsyncEnumerable<AuditEntry> rows, AuditChainStatus status, AuditFilter filter, CancellationToken ct)
    {
        var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("schema", "mote-audit-export/1");
            json.WriteStartObject("chain");
            json.WriteBoolean("verified", status.Verified);
            json.WriteNumber("verifiedUpTo", status.VerifiedUpTo);
            if (status.FirstBadSequence is { } bad)
            {
                json.WriteNumber("firstBadSequence", bad);
            }
            json.WriteString("summary", status.Summary);
            json.WriteString("checkedUtc", status.CheckedUtc);
            json.WriteEndObject();
            // Added without a schema bump: readers of mote-audit-export/1 ignore members they do not know.
            json.WriteString("filter", filter.Describe());
            json.WriteStartArray("events");
            await foreach (var r in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                json.WriteStartObject();
                json.WriteNumber("sequence", r.Sequence);
                json.WriteString("occurredUtc", r.OccurredUtc);
                json.WriteNumber("code", r.Code);
                json.WriteString("event", ((AuditEventCode)r.Code).ToString());
                json.WriteNumber("actorKind", r.ActorKind);
                json.WriteString("actorId", r.ActorId);
                json.WriteString("actorName", r.ActorName);
                json.WriteString("subjectId", r.SubjectId);
                json.WriteString("detail", r.Detail);
                json.WriteBoolean("payloadErased", r.PayloadErased);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.</summary>
    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
