using System.Text.RegularExpressions;
using Mote.Gallery.Audit;

namespace Mote.Portal.Components.Shared;

/// <summary>
/// Readable names for audit event codes ("SignInFailed" → "Sign in failed"). The trail's table shows the name and the
/// code in a column of its own: a code in brackets after the name read like an HTTP status ("Probe verified (400)").
/// </summary>
public static partial class AuditText
{
    /// <summary>The event's name in words, e.g. "Probe verified"; "Unknown event" for a code this build does not know.</summary>
    public static string Name(int code)
    {
        if (!Enum.IsDefined(typeof(AuditEventCode), code))
        {
            return "Unknown event";
        }
        var words = SplitWords().Replace(((AuditEventCode)code).ToString(), " $1").ToLowerInvariant();
        return $"{char.ToUpperInvariant(words[0])}{words[1..]}";
    }

    /// <summary>The name with its code for pickers, e.g. "Probe verified · code 400".</summary>
    public static string Describe(int code) => $"{Name(code)} · code {code}";

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex SplitWords();
}
