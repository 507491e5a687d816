namespace Mote.Core.Population.Labels;

/// <summary>A labels file that does not follow its layout; names the file and line.</summary>
public sealed class LabelFormatException : FormatException
{
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
