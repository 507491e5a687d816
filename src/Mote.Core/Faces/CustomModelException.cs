namespace Mote.Core.Faces;

/// <summary>
/// The model a user configured does not fit what its options say (wrong input or output shape). Shared by the custom
/// recognition describer and the custom SCRFD detector, so neither namespace depends on the other for it.
/// </summary>
public sealed class CustomModelException(string message) : Exception(message);
