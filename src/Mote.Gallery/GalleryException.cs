namespace Mote.Gallery;

/// <summary>
/// A use case refused its input or could not complete; the message is written for the person who
/// asked and says what to change. Nothing was stored.
/// </summary>
public sealed class GalleryException(string message) : Exception(message);
