namespace Mote.Core.Models;

/// <summary>Provisioning the model pack failed (npm missing or failing, a broken cache, a build error).</summary>
public class ModelProvisioningException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ModelProvisioningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public ModelProvisioningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A package tarball's SHA-512 does not match the value pinned in code.</summary>
public sealed class PackageIntegrityException : ModelProvisioningException
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public PackageIntegrityException(string message)
        : base(message)
    {
    }
}

/// <summary>A tarball holds an entry that may not be extracted (absolute path, <c>..</c>, link, device, too large).</summary>
public sealed class UnsafeArchiveException : ModelProvisioningException
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public UnsafeArchiveException(string message)
        : base(message)
    {
    }
}
