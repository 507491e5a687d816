namespace Mote.Gallery;

/// <summary>
/// A use case refused its input or could not complete; the message is written for the person who
/// asked and says what to change. Nothing was stored.
/// </summary>
public class GalleryException(string message) : Exception(message);

/// <summary>
/// A save was made against data someone else changed since it was read (optimistic concurrency);
/// nothing was overwritten. The message asks the user to reload.
/// </summary>
public sealed class GalleryConcurrencyException(string message) : GalleryException(message);
