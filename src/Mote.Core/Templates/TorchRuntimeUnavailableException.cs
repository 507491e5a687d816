namespace Mote.Core.Templates;

/// <summary>
/// TorchSharp's native library could not be loaded; the message says why and what to install.
/// </summary>
public sealed class TorchRuntimeUnavailableException : Exception
{
    /// <summary>Creates the exception with an explanation.</summary>
    public TorchRuntimeUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with an explanation and the load failure behind it.</summary>
    public TorchRuntimeUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
