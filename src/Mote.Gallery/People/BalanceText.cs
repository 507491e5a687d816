using System.Globalization;

namespace Mote.Gallery.People;

/// <summary>The text form of a balance that the CLI (<c>--balance</c>) and the REST API (<c>balance</c> field) accept.</summary>
public static class BalanceText
{
    /// <summary>
    /// Parses "female=0.7,male=0.3" into negative-sample weights by group id; a key written <c>pos:group</c>
    /// weights the positive variation instead (<c>neg:group</c> is the same as <c>group</c>). A part left
    /// out stays equal over the population pack's groups. Null or blank text is null (the default balance).
    /// </summary>
    /// <exception cref="GalleryException">A part is not <c>group=weight</c>.</exception>
    public static (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation)? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var negatives = new Dictionary<string, double>(StringComparer.Ordinal);
        var variation = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
            {
                throw new GalleryException($"'{part}' is not group=weight (e.g. female=0.7).");
            }
            var key = kv[0];
            if (key.StartsWith("pos:", StringComparison.Ordinal))
            {
                variation[key[4..]] = w;
            }
            else
            {
                negatives[key.StartsWith("neg:", StringComparison.Ordinal) ? key[4..] : key] = w;
            }
        }
        return (negatives, variation);
    }
}
