using Mote.Core.Faces;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Models;
using Mote.Core.Templates;
using Mote.Gallery.Security;

namespace Mote.Gallery.Errors;

/// <summary>A refusal as a front end shows it: which sort it is and the words for the person who asked.</summary>
/// <param name="Kind">Which sort of refusal (each front end maps the kinds once: HTTP status, page message, exit code).</param>
/// <param name="Message">What went wrong and what to change, as the use case or Core wrote it.</param>
/// <param name="RetryAfter">For <see cref="GalleryErrorKind.Busy"/>: when to try again; null otherwise.</param>
public sealed record GalleryError(GalleryErrorKind Kind, string Message, TimeSpan? RetryAfter = null);

/// <summary>
/// The one map from the exceptions the product raises on purpose to refusals (issue 18 item 2): Gallery's own
/// <see cref="GalleryException"/> with its kind, a missing permission, and the few Core exceptions that reach a front end
/// (models or the training runtime unavailable, a user's custom model that does not fit its options). Everything else is
/// a fault: the front end logs it and answers with a generic error. The portal's pages, the REST API, the CLI and the job
/// runtime all ask this map instead of each keeping its own list of exception types.
/// </summary>
public static class GalleryErrors
{
    /// <summary>The refusal <paramref name="exception"/> stands for, or null when it is a fault (a bug, an I/O failure).</summary>
    public static GalleryError? Classify(Exception exception) => exception switch
    {
        GalleryBusyException busy => new(GalleryErrorKind.Busy, busy.Message, busy.RetryAfter),
        GalleryException refused => new(refused.Kind, refused.Message),
        PermissionDeniedException denied => new(GalleryErrorKind.Forbidden, denied.Message),
        ModelProvisioningException or TorchRuntimeUnavailableException => new(GalleryErrorKind.Unavailable, exception.Message),
        CustomModelException or CustomModelConfigurationException => new(GalleryErrorKind.Invalid, exception.Message),
        _ => null,
    };

    /// <summary>Whether <paramref name="exception"/> is a refusal to show in words (see <see cref="Classify"/>).</summary>
    public static bool IsRefusal(Exception exception) => Classify(exception) is not null;
}
