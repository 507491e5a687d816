namespace Mote.Core.Templates;

/// <summary>A probe descriptor and a template come from different backbones; scoring them would be meaningless.</summary>
public sealed class BackboneMismatchException : Exception
{
    /// <summary>Creates the exception with a message naming both backbones.</summary>
    public BackboneMismatchException(string message) : base(message)
    {
    }
}
