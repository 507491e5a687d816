using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Mote.Gallery.Audit;

namespace Mote.Portal.Services;

/// <summary>
/// The audit filter in the export link's query (<c>/audit/export?format=csv&amp;from=…&amp;to=…&amp;actor=…&amp;code=…&amp;subject=…</c>),
/// so the Audit page's CSV and JSON buttons export what its filter shows. Times are UTC, ISO 8601.
/// </summary>
public static class AuditExportQuery
{
    /// <summary>The export address for <paramref name="format"/> (csv or json) and <paramref name="filter"/>, relative to the base.</summary>
    public static string Href(string format, AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new Dictionary<string, string?>(StringComparer.Ordinal) { ["format"] = format };
        if (filter.FromUtc is { } from)
        {
            query["from"] = Iso(from);
        }
        if (filter.ToUtc is { } to)
        {
            query["to"] = Iso(to);
        }
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            query["actor"] = filter.Actor.Trim();
        }
        if (filter.Code is { } code)
        {
            query["code"] = code.ToString(CultureInfo.InvariantCulture);
        }
        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            query["subject"] = filter.Subject.Trim();
        }
        return QueryHelpers.AddQueryString("audit/export", query);
    }

    /// <summary>Reads the filter back; the refusal in words when a time or code cannot be read.</summary>
    public static (AuditFilter? Filter, string? Problem) Parse(string? from, string? to, string? actor, string? code, string? subject)
    {
        DateTimeOffset? fromUtc = null;
        DateTimeOffset? toUtc = null;
        int? number = null;
        if (!string.IsNullOrWhiteSpace(from))
        {
            if (!TryTime(from, out var f))
            {
                return (null, $"'from' must be a UTC time such as 2026-12-01T00:00:00Z, not '{from}'.");
            }
            fromUtc = f;
        }
        if (!string.IsNullOrWhiteSpace(to))
        {
            if (!TryTime(to, out var t))
            {
                return (null, $"'to' must be a UTC time such as 2026-12-01T23:59:59Z, not '{to}'.");
            }
            toUtc = t;
        }
        if (!string.IsNullOrWhiteSpace(code))
        {
            if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                return (null, $"'code' must be an event code such as 400, not '{code}'.");
            }
            number = c;
        }
        return (new AuditFilter(fromUtc, toUtc, NullIfBlank(actor), number, NullIfBlank(subject)), null);
    }

    // "O" keeps the ticks, so the end of a day (23:59:59.9999999) survives the round trip.
    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static bool TryTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
