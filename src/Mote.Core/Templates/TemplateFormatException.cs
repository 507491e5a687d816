namespace Mote.Core.Templates;

/// <summary>What is wrong with a serialised model-template.</summary>
public enum TemplateFormatError
{
    /// <summary>The data ends before the structure it declares.</summary>
    Truncated,

    /// <summary>The data does not start with the model-template magic bytes.</summary>
    BadMagic,

    /// <summary>The format version is not one this build reads.</summary>
    UnsupportedVersion,

    /// <summary>The SHA-256 over the content does not match the stored one (corruption or tampering).</summary>
    ChecksumMismatch,

    /// <summary>A field holds a value the format does not allow (e.g. an impossible layer width).</summary>
    InvalidField,
}

/// <summary>A serialised model-template cannot be read; <see cref="Error"/> says which check failed.</summary>
public sealed class TemplateFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TemplateFormatException(TemplateFormatError error, string message) : base(message)
    {
        Error = error;
    }

    /// <summary>Which check failed.</summary>
    public TemplateFormatError Error { get; }
}
