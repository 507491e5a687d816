namespace Mote.Gallery;

/// <summary>What kind of refusal a <see cref="GalleryException"/> is, so front ends can answer in kind (the REST API maps it to an HTTP status).</summary>
public enum GalleryErrorKind
{
    /// <summary>The request itself is wrong (a missing or malformed value). The default.</summary>
    Invalid = 0,

    /// <summary>What the request names does not exist (e.g. nobody of that name or id is enrolled).</summary>
    NotFound = 1,

    /// <summary>The request clashes with what is stored (e.g. the name is already enrolled).</summary>
    Conflict = 2,

    /// <summary>The photo was read but cannot be used: not a JPEG/PNG, damaged, no face, or the face fails the quality check.</summary>
    UnusablePhoto = 3,

    /// <summary>The photo is larger than <see cref="Engine.PhotoPolicy.MaxBytes"/> (the REST API answers 413).</summary>
    PhotoTooLarge = 4,

    /// <summary>The system is saturated and did not take the request (<see cref="GalleryBusyException"/>; the REST API answers 503 with Retry-After).</summary>
    Busy = 5,

    /// <summary>The actor may not do this (<see cref="Security.PermissionDeniedException"/>; the REST API answers 403).</summary>
    Forbidden = 6,

    /// <summary>
    /// The face models or the native training runtime are not available on this server (Core's model provisioning or
    /// TorchSharp failed; the REST API answers 503). An administrator fixes it; the request itself was fine.
    /// </summary>
    Unavailable = 7,
}

/// <summary>
/// A use case refused its input or could not complete; the message is written for the person who
/// asked and says what to change. Nothing was stored. <see cref="Kind"/> says which sort of refusal it
/// is (default <see cref="GalleryErrorKind.Invalid"/>).
/// </summary>
public class GalleryException(string message, GalleryErrorKind kind = GalleryErrorKind.Invalid) : Exception(message)
{
    /// <summary>Which sort of refusal this is.</summary>
    public GalleryErrorKind Kind { get; } = kind;
}

/// <summary>
/// A save was made against data someone else changed since it was read (optimistic concurrency);
/// nothing was overwritten. The message asks the user to reload.
/// </summary>
public sealed class GalleryConcurrencyException(string message) : GalleryException(message, GalleryErrorKind.Conflict);

/// <summary>The system is saturated: the request was not taken; try again after <see cref="RetryAfter"/> (the REST API answers 503 with Retry-After).</summary>
public sealed class GalleryBusyException(string message, TimeSpan retryAfter) : GalleryException(message, GalleryErrorKind.Busy)
{
    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
