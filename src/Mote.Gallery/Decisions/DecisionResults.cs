namespace Mote.Gallery.Decisions;

/// <summary>A 1:1 outcome as shown to the operator.</summary>
public sealed record VerificationResult(string DecisionId, string PersonId, string PersonName, float Score, float Threshold, bool Accepted, TimeSpan Duration);

/// <summary>One 1:N candidate that passed their own threshold.</summary>
public sealed record IdentificationMatch(string PersonId, string PersonName, float Score, float Threshold);

/// <summary>A 1:N outcome: matches best first, or none ("no match").</summary>
public sealed record IdentificationOutcome(string DecisionId, IReadOnlyList<IdentificationMatch> Matches, int GallerySize, TimeSpan Duration)
{
    public bool IsNoMatch => Matches.Count == 0;
}
