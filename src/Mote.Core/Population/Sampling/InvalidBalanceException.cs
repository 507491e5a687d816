namespace Mote.Core.Population.Sampling;

/// <summary>A balance that cannot be used with a pack: negative weight, all zero, or an unknown group.</summary>
public sealed class InvalidBalanceException : ArgumentException
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InvalidBalanceException(string message)
        : base(message)
    {
    }
}
