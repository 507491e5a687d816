namespace Mote.Core.Population.Labels;

/// <summary>A labels file that does not follow its layout; names the file and line.</summary>
public sealed class LabelFormatException : FormatException
{
    /// <summary>Creates the exception for line <paramref name="line"/> (1-based) of <paramref name="source"/>, with <paramref name="reason"/> in the message.</summary>
    public LabelFormatException(string source, int line, string reason)
        : base($"{source}, line {line}: {reason}.")
    {
        Source = source;
        Line = line;
    }

    /// <summary>The labels file.</summary>
    public new string Source { get; }

    /// <summary>The 1-based line of the offending row.</summary>
    public int Line { get; }
}
