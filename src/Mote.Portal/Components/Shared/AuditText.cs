using System.Text.RegularExpressions;
using Mote.Gallery.Audit;

namespace Mote.Portal.Components.Shared;

/// <summary>Readable names for audit event codes ("SignInFailed" → "Sign in failed (101)").</summary>
public static partial class AuditText
{
    public static string Describe(int code)
    {
        if (!Enum.IsDefined(typeof(AuditEventCode), code))
        {
            return $"Unknown event ({code})";
        }
        var words = SplitWords().Replace(((AuditEventCode)code).ToString(), " $1").ToLowerInvariant();
        return $"{char.ToUpperInvariant(words[0])}{words[1..]} ({code})";
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex SplitWords();
}
