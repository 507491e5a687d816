namespace Mote.Core.Population.Densities;

/// <summary>Too few (or degenerate) points to fit a density.</summary>
public sealed class InsufficientDataException : InvalidOperationException
{
    public InsufficientDataException(string message)
        : base(message)
    {
    }
}
