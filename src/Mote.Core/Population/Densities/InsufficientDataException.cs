namespace Mote.Core.Population.Densities;

/// <summary>Too few (or degenerate) points to fit a density.</summary>
public sealed class InsufficientDataException : InvalidOperationException
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InsufficientDataException(string message)
        : base(message)
    {
    }
}
