using Mote.Core.Templates;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;

namespace Mote.Portal.Api;

/// <summary>A 1:1 decision.</summary>
/// <param name="DecisionId">Stored decision id (the audit event and later explanations refer to it).</param>
/// <param name="Decision"><c>accept</c> or <c>reject</c>.</param>
/// <param name="Accepted">True when the score reached the person's threshold.</param>
/// <param name="PersonId">The claimed person's id.</param>
/// <param name="PersonName">The claimed person's name.</param>
/// <param name="Score">The person's model-template score for the probe, 0…1.</param>
/// <param name="Threshold">The person's threshold (set at the target false-match rate).</param>
/// <param name="ProcessingMs">Server time for the decision, in milliseconds.</param>
/// <param name="ScoreReading">The score as people read it: log-odds and, where calibrated, the expected false-match rate at this score.</param>
/// <param name="ThresholdReading">The threshold read the same way.</param>
public sealed record VerifyResponse(string DecisionId, string Decision, bool Accepted, string PersonId, string PersonName, float Score, float Threshold, double ProcessingMs,
    ScoreReadingResponse? ScoreReading = null, ScoreReadingResponse? ThresholdReading = null)
{
    internal static VerifyResponse From(VerificationResult r) =>
        new(r.DecisionId, r.Accepted ? "accept" : "reject", r.Accepted, r.PersonId, r.PersonName, r.Score, r.Threshold, r.Duration.TotalMilliseconds,
            ScoreReadingResponse.From(r.Reading), ScoreReadingResponse.From(r.ThresholdReading));
}

/// <summary>A score as people read it.</summary>
/// <param name="LogOdds">ln(score / (1 − score)) of a model-template score; a vector template's cosine.</param>
/// <param name="EstimatedFalseMatchRate">The rate of strangers of the person's group expected to score at least this (from the
/// population pack's real-impostor calibration); null when the template or pack has no calibration.</param>
/// <param name="EstimatedFalseMatchRateIsUpperBound">The score is above every measured threshold: the rate is at most the value given.</param>
/// <param name="CalibrationGroup">The calibrated group the rate is read from.</param>
/// <param name="Text">The same in words, e.g. "expected false-match rate 0.02 % (1 in 5,000) · log-odds +2.4".</param>
public sealed record ScoreReadingResponse(double LogOdds, double? EstimatedFalseMatchRate, bool EstimatedFalseMatchRateIsUpperBound, string? CalibrationGroup, string Text)
{
    internal static ScoreReadingResponse? From(ScoreReading? r) =>
        r is null ? null : new(Math.Round(r.LogOdds, 3), r.FalseMatchRate, r.AtMost, r.CalibrationGroup, r.Text);
}

/// <summary>One person who passed their own threshold in a 1:N search.</summary>
public sealed record IdentifyCandidate(int Rank, string PersonId, string PersonName, float Score, float Threshold,
    ScoreReadingResponse? ScoreReading = null, ScoreReadingResponse? ThresholdReading = null);

/// <summary>A 1:N decision: up to <c>top</c> people who pass their own threshold, best first, or <c>no match</c>.</summary>
/// <param name="DecisionId">Stored decision id.</param>
/// <param name="Decision"><c>match</c> or <c>no match</c>.</param>
/// <param name="Score">The best candidate's score; null for no match.</param>
/// <param name="Threshold">The best candidate's threshold; null for no match.</param>
/// <param name="Candidates">Matches, best first (empty for no match).</param>
/// <param name="Top">How many candidates were asked for.</param>
/// <param name="GallerySize">How many enrolled people were searched.</param>
/// <param name="ProcessingMs">Server time for the decision, in milliseconds.</param>
public sealed record IdentifyResponse(string DecisionId, string Decision, float? Score, float? Threshold, IReadOnlyList<IdentifyCandidate> Candidates, int Top, int GallerySize, double ProcessingMs)
{
    internal static IdentifyResponse From(IdentificationOutcome o, int top) => new(
        o.DecisionId,
        o.IsNoMatch ? "no match" : "match",
        o.Matches.FirstOrDefault()?.Score,
        o.Matches.FirstOrDefault()?.Threshold,
        o.Matches.Select((m, i) => new IdentifyCandidate(i + 1, m.PersonId, m.PersonName, m.Score, m.Threshold, ScoreReadingResponse.From(m.Reading), ScoreReadingResponse.From(m.ThresholdReading))).ToArray(),
        top,
        o.GallerySize,
        o.Duration.TotalMilliseconds);
}

/// <summary>An enrolled person, without biometric data.</summary>
/// <param name="Id">Opaque id.</param>
/// <param name="Name">Display name (unique together with <paramref name="ExternalId"/>).</param>
/// <param name="Gender">Declared gender, else the estimate.</param>
/// <param name="Ethnicity">Declared ethnicity, else the estimate.</param>
/// <param name="AgeBand">Declared age band, else the estimate.</param>
/// <param name="AttributesEstimated">True when any attribute shown is an estimate (API 1.0; kept as the OR of the three below).</param>
/// <param name="TemplateKind"><c>model</c> (MOTE model-template) or <c>vector</c> (baseline).</param>
/// <param name="TemplateBytes">Stored template size in bytes (before encryption).</param>
/// <param name="Threshold">The person's decision threshold.</param>
/// <param name="EnrolledUtc">When they were enrolled.</param>
/// <param name="RetrainedUtc">When their template was last retrained, if ever.</param>
/// <param name="Balance">Summary of their synthetic balance.</param>
/// <param name="GenderEstimated">True when <paramref name="Gender"/> is an estimate, not declared (API 1.1).</param>
/// <param name="EthnicityEstimated">True when <paramref name="Ethnicity"/> is an estimate (API 1.1).</param>
/// <param name="AgeBandEstimated">True when <paramref name="AgeBand"/> is an estimate (API 1.1).</param>
/// <param name="ExternalId">Their external id (an employee number), null when none (API 1.2).</param>
public sealed record PersonResponse(
    string Id, string Name, string? Gender, string? Ethnicity, string? AgeBand, bool AttributesEstimated,
    string TemplateKind, int TemplateBytes, float Threshold, DateTimeOffset EnrolledUtc, DateTimeOffset? RetrainedUtc, string Balance,
    bool GenderEstimated, bool EthnicityEstimated, bool AgeBandEstimated, string? ExternalId)
{
    internal static PersonResponse From(PersonSummary p) => new(
        p.Id, p.Name, p.Gender, p.Ethnicity, p.AgeBand, p.AttributesEstimated, p.TemplateKind, p.TemplateBytes, p.Threshold, p.EnrolledUtc, p.RetrainedUtc, p.BalanceSummary,
        p.GenderEstimated, p.EthnicityEstimated, p.AgeBandEstimated, p.ExternalId);
}

/// <summary>A page of people.</summary>
/// <param name="Total">People matching the search, over all pages.</param>
/// <param name="Skip">How many were skipped.</param>
/// <param name="Take">The page size asked for.</param>
/// <param name="Items">This page.</param>
public sealed record PeoplePage(int Total, int Skip, int Take, IReadOnlyList<PersonResponse> Items);

/// <summary>What a person's stored template is, without its weights.</summary>
public sealed record TemplateResponse(
    string Kind, string Architecture, string Precision, int StoredBytes, int VectorBytesForComparison,
    string BackboneId, string PopulationPackId, long Seed, int Epochs, double ValidationLoss);

/// <summary>One person with their template's description.</summary>
public sealed record PersonDetailsResponse(PersonResponse Person, TemplateResponse Template)
{
    internal static PersonDetailsResponse From(TemplateInspection t) => new(
        PersonResponse.From(t.Person),
        new TemplateResponse(t.Person.TemplateKind, t.Architecture, t.Precision, t.StoredBytes, t.VectorBytesForComparison,
            t.BackboneId, t.PopulationPackId, t.Seed, t.Epochs, t.ValidationLoss));
}

/// <summary>How the person's model-template trained (absent for a vector template).</summary>
public sealed record TrainingResponse(int EpochsRun, int BestEpoch, float BestValidationLoss, double TrainingMs)
{
    internal static TrainingResponse? From(TrainingSummary? t) =>
        t is null ? null : new(t.EpochsRun, t.BestEpoch, t.BestValidationLoss, t.Duration.TotalMilliseconds);
}

/// <summary>A newly enrolled person.</summary>
public sealed record EnrollResponse(PersonResponse Person, TrainingResponse? Training, double ProcessingMs)
{
    internal static EnrollResponse From(EnrollmentResult r) =>
        new(PersonResponse.From(r.Person), TrainingResponse.From(r.Training), r.Duration.TotalMilliseconds);
}
