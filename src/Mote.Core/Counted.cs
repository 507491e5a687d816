using System.Globalization;

namespace Mote.Core;

/// <summary>A count with its noun in the right number, for text people read: "1 face", "3 faces" (not "1 face(s)").</summary>
public static class Counted
{
    /// <summary>"1 face", "0 faces", "1,234 faces"; <paramref name="plural"/> defaults to <paramref name="singular"/> + "s".</summary>
    public static string Of(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? singular : plural ?? singular + "s")}");
}
