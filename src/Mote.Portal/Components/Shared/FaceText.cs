using System.Globalization;
using Mote.Gallery.Decisions;

namespace Mote.Portal.Components.Shared;

/// <summary>A decided probe face in words: its number (from 1, largest first) and box in the photo's pixels.</summary>
public static class FaceText
{
    /// <summary>E.g. "face #3 of 3, at 1459, 201 (197 × 198 px)"; "the only face, at …" for a photo with one face.</summary>
    public static string Of(DecidedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        var which = face.FacesInPhoto == 1 ? "the only face" : $"face #{face.Index + 1} of {face.FacesInPhoto}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{which}, at {face.Box.X:0}, {face.Box.Y:0} ({face.Box.Width:0} × {face.Box.Height:0} px)");
    }
}
