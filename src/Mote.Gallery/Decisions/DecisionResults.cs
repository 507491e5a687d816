using Mote.Core.Faces;

namespace Mote.Gallery.Decisions;

/// <summary>The probe face a decision was made on.</summary>
/// <param name="Index">Its number in the photo, largest face first (0 = largest): what a face index picks.</param>
/// <param name="Box">Where it is, in the photo's pixels.</param>
/// <param name="FacesInPhoto">How many faces the photo holds.</param>
public sealed record DecidedFace(int Index, FaceBox Box, int FacesInPhoto);

/// <summary>A 1:1 outcome as shown to the operator; <paramref name="Reading"/> and <paramref name="ThresholdReading"/> are the
/// score and threshold as people read them (log-odds and expected false-match rate; null only where built by hand).
/// <paramref name="Face"/> is the probe face that was verified (null only where built by hand).</summary>
public sealed record VerificationResult(string DecisionId, string PersonId, string PersonName, float Score, float Threshold, bool Accepted, TimeSpan Duration,
    ScoreReading? Reading = null, ScoreReading? ThresholdReading = null, DecidedFace? Face = null);

/// <summary>One 1:N candidate that passed their own threshold, with its readable score and threshold.</summary>
public sealed record IdentificationMatch(string PersonId, string PersonName, float Score, float Threshold, ScoreReading? Reading = null, ScoreReading? ThresholdReading = null);

/// <summary>
/// One face of a 1:N probe and what became of it: usable faces were searched and decided (<paramref name="DecisionId"/>,
/// <paramref name="Matches"/> best first, empty for "no match"); the others were refused by the quality check, with
/// <paramref name="Reasons"/> in words and no decision.
/// </summary>
public sealed record IdentifiedFace(DecidedFace Face, bool Usable, IReadOnlyList<string> Reasons, string? DecisionId, IReadOnlyList<IdentificationMatch> Matches)
{
    /// <summary>True when the face was decided with no candidate passing: "no match" (also true for a refused face, which has no matches).</summary>
    public bool IsNoMatch => Matches.Count == 0;
}

/// <summary>
/// A 1:N outcome. The top-level fields are the largest usable face's decision (matches best first, or none: "no match");
/// <paramref name="Faces"/> holds every face of the photo, largest first, decided or refused.
/// </summary>
public sealed record IdentificationOutcome(string DecisionId, IReadOnlyList<IdentificationMatch> Matches, int GallerySize, TimeSpan Duration, IReadOnlyList<IdentifiedFace> Faces)
{
    /// <summary>True when the top-level decision has no candidate: "no match".</summary>
    public bool IsNoMatch => Matches.Count == 0;

    /// <summary>The face the top-level decision is about (the largest usable one).</summary>
    public IdentifiedFace? Decided => Faces.FirstOrDefault(f => f.DecisionId == DecisionId);
}
