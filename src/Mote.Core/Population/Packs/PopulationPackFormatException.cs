namespace Mote.Core.Population.Packs;

/// <summary>A population pack file that is not a valid pack; names the file and the reason.</summary>
public sealed class PopulationPackFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="source"/>, with <paramref name="reason"/> in the message and the failure that caused it, if any.</summary>
    public PopulationPackFormatException(string source, string reason, Exception? inner = null)
        : base($"Population pack '{source}' is not valid: {reason}.", inner)
    {
        PackSource = source;
    }

    /// <summary>The file or source that failed.</summary>
    public string PackSource { get; }
}
