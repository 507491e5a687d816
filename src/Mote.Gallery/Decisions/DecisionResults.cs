namespace Mote.Gallery.Decisions;

/// <summary>A 1:1 outcome as shown to the operator; <paramref name="Reading"/> and <paramref name="ThresholdReading"/> are the
/// score and threshold as people read them (log-odds and expected false-match rate; null only where built by hand).</summary>
public sealed record VerificationResult(string DecisionId, string PersonId, string PersonName, float Score, float Threshold, bool Accepted, TimeSpan Duration,
    ScoreReading? Reading = null, ScoreReading? ThresholdReading = null);

/// <summary>One 1:N candidate that passed their own threshold, with its readable score and threshold.</summary>
public sealed record IdentificationMatch(string PersonId, string PersonName, float Score, float Threshold, ScoreReading? Reading = null, ScoreReading? ThresholdReading = null);

/// <summary>A 1:N outcome: matches best first, or none ("no match").</summary>
public sealed record IdentificationOutcome(string DecisionId, IReadOnlyList<IdentificationMatch> Matches, int GallerySize, TimeSpan Duration)
{
    public bool IsNoMatch => Matches.Count == 0;
}
