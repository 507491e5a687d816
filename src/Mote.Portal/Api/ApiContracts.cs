using Mote.Core.Templates;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;

namespace Mote.Portal.Api;

/// <summary>The one outcome vocabulary of every decision the API answers (API 1.6): 1:1 and 1:N alike, as the portal says it.</summary>
public static class DecisionOutcome
{
    /// <summary>The probe's face passed the threshold of the person claimed (1:1) or of at least one person (1:N).</summary>
    public const string Match = "match";

    /// <summary>It passed nobody's threshold.</summary>
    public const string NoMatch = "no match";

    internal static string Of(bool matched) => matched ? Match : NoMatch;
}

/// <summary>A 1:1 decision.</summary>
/// <param name="DecisionId">Stored decision id (the audit event and later explanations refer to it).</param>
/// <param name="Decision"><c>accept</c> or <c>reject</c>: kept for clients of API 1.0–1.5; read <paramref name="Outcome"/> instead (deprecated in 1.6).</param>
/// <param name="Accepted">True when the score reached the person's threshold.</param>
/// <param name="PersonId">The claimed person's id.</param>
/// <param name="PersonName">The claimed person's name.</param>
/// <param name="Score">The person's model-template score for the probe, 0…1.</param>
/// <param name="Threshold">The person's threshold (set at the target false-match rate).</param>
/// <param name="ProcessingMs">Server time for the decision, in milliseconds.</param>
/// <param name="ScoreReading">The score as people read it: log-odds and, where calibrated, the expected false-match rate at this score.</param>
/// <param name="ThresholdReading">The threshold read the same way.</param>
/// <param name="Face">The probe face that was verified: its number and box (API 1.3).</param>
/// <param name="Outcome"><c>match</c> or <c>no match</c>, the same words as identification's (API 1.6).</param>
public sealed record VerifyResponse(string DecisionId, string Decision, bool Accepted, string PersonId, string PersonName, float Score, float Threshold, double ProcessingMs,
    ScoreReadingResponse? ScoreReading = null, ScoreReadingResponse? ThresholdReading = null, ProbeFaceResponse? Face = null, string Outcome = DecisionOutcome.NoMatch)
{
    internal static VerifyResponse From(VerificationResult r) =>
        new(r.DecisionId, r.Accepted ? "accept" : "reject", r.Accepted, r.PersonId, r.PersonName, r.Score, r.Threshold, r.Duration.TotalMilliseconds,
            ScoreReadingResponse.From(r.Reading), ScoreReadingResponse.From(r.ThresholdReading), ProbeFaceResponse.From(r.Face), DecisionOutcome.Of(r.Accepted));
}

/// <summary>Where a face is in the photo, in the photo's pixels (after its EXIF orientation is applied).</summary>
public sealed record FaceBoxResponse(double X, double Y, double Width, double Height)
{
    internal static FaceBoxResponse From(Mote.Core.Faces.FaceBox b) => new(Math.Round(b.X, 1), Math.Round(b.Y, 1), Math.Round(b.Width, 1), Math.Round(b.Height, 1));
}

/// <summary>The probe face a decision used (API 1.3).</summary>
/// <param name="Index">Its number, largest face first (0 = largest): what <c>faceIndex</c> takes.</param>
/// <param name="Box">Where it is.</param>
/// <param name="FacesInPhoto">How many faces the photo holds.</param>
public sealed record ProbeFaceResponse(int Index, FaceBoxResponse Box, int FacesInPhoto)
{
    internal static ProbeFaceResponse? From(DecidedFace? f) => f is null ? null : new(f.Index, FaceBoxResponse.From(f.Box), f.FacesInPhoto);
}

/// <summary>One face of a 1:N probe and what became of it (API 1.3).</summary>
/// <param name="Index">Its number, largest face first (0 = largest).</param>
/// <param name="Box">Where it is.</param>
/// <param name="Status"><c>match</c> or <c>no match</c> (searched and decided), or <c>unusable</c> (refused by the quality check: no decision).</param>
/// <param name="Reason">Why it is unusable, in words; null when decided.</param>
/// <param name="DecisionId">This face's own stored decision; null when unusable.</param>
/// <param name="Candidates">People who pass their own threshold for this face, best first (empty for no match or unusable).</param>
public sealed record IdentifyFaceResponse(int Index, FaceBoxResponse Box, string Status, string? Reason, string? DecisionId, IReadOnlyList<IdentifyCandidate> Candidates)
{
    internal static IdentifyFaceResponse From(IdentifiedFace f) => new(
        f.Face.Index, FaceBoxResponse.From(f.Face.Box),
        !f.Usable ? "unusable" : DecisionOutcome.Of(!f.IsNoMatch),
        f.Usable ? null : string.Join("; ", f.Reasons) + ".",
        f.DecisionId,
        IdentifyCandidate.From(f.Matches));
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
    ScoreReadingResponse? ScoreReading = null, ScoreReadingResponse? ThresholdReading = null)
{
    internal static IdentifyCandidate[] From(IReadOnlyList<IdentificationMatch> matches) =>
        matches.Select((m, i) => new IdentifyCandidate(i + 1, m.PersonId, m.PersonName, m.Score, m.Threshold, ScoreReadingResponse.From(m.Reading), ScoreReadingResponse.From(m.ThresholdReading))).ToArray();
}

/// <summary>
/// A 1:N answer: every face of the photo in <paramref name="Faces"/> (API 1.3); the top-level fields are the largest usable
/// face's decision: up to <c>top</c> people who pass their own threshold, best first, or <c>no match</c>.
/// </summary>
/// <param name="DecisionId">Stored decision id (of the largest usable face).</param>
/// <param name="Decision"><c>match</c> or <c>no match</c>.</param>
/// <param name="Score">The best candidate's score; null for no match.</param>
/// <param name="Threshold">The best candidate's threshold; null for no match.</param>
/// <param name="Candidates">Matches, best first (empty for no match).</param>
/// <param name="Top">How many candidates were asked for.</param>
/// <param name="GallerySize">How many enrolled people were searched.</param>
/// <param name="ProcessingMs">Server time for all the photo's decisions, in milliseconds.</param>
/// <param name="Face">The face the top-level fields are about (API 1.3).</param>
/// <param name="Faces">Every face found, largest first, each decided on its own or refused with its reason (API 1.3).</param>
/// <param name="Outcome">The same as <paramref name="Decision"/>, under the name verification answers it too (API 1.6).</param>
public sealed record IdentifyResponse(string DecisionId, string Decision, float? Score, float? Threshold, IReadOnlyList<IdentifyCandidate> Candidates, int Top, int GallerySize, double ProcessingMs,
    ProbeFaceResponse? Face, IReadOnlyList<IdentifyFaceResponse> Faces, string Outcome)
{
    internal static IdentifyResponse From(IdentificationOutcome o, int top) => new(
        o.DecisionId,
        DecisionOutcome.Of(!o.IsNoMatch),
        o.Matches.FirstOrDefault()?.Score,
        o.Matches.FirstOrDefault()?.Threshold,
        IdentifyCandidate.From(o.Matches),
        top,
        o.GallerySize,
        o.Duration.TotalMilliseconds,
        ProbeFaceResponse.From(o.Decided?.Face),
        o.Faces.Select(IdentifyFaceResponse.From).ToArray(),
        DecisionOutcome.Of(!o.IsNoMatch));
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
        p.Id, p.Name, p.Gender, p.Ethnicity, p.AgeBand, p.AttributesEstimated, p.TemplateKind.ReportName(), p.TemplateBytes, p.Threshold, p.EnrolledUtc, p.RetrainedUtc, p.BalanceSummary,
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
        new TemplateResponse(t.Person.TemplateKind.ReportName(), t.Architecture, t.Precision, t.StoredBytes, t.VectorBytesForComparison,
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

/// <summary>One row of a batch enrollment (API 1.4).</summary>
/// <param name="Row">The row's number (1 = the CSV's first line after its header, else the first photo or folder by name).</param>
/// <param name="Name">The name the row gave.</param>
/// <param name="ExternalId">The external id it gave, if any.</param>
/// <param name="Photo">The photo it named (its path inside the ZIP).</param>
/// <param name="Outcome"><c>enrolled</c>, <c>already enrolled</c> (skipped: the batch was sent before) or <c>failed</c> (nothing of this row stored).</param>
/// <param name="Message">In words: why it failed, or what happened.</param>
/// <param name="PersonId">The (already) enrolled person's id; null when failed.</param>
/// <param name="ProcessingMs">Server time for this row, in milliseconds.</param>
public sealed record BatchRowResponse(int Row, string Name, string? ExternalId, string Photo, string Outcome, string Message, string? PersonId, double ProcessingMs)
{
    internal static BatchRowResponse From(BulkRowResult r) => new(r.Row, r.Name, r.ExternalId, r.Photo,
        r.Outcome switch { BulkRowOutcome.Enrolled => "enrolled", BulkRowOutcome.AlreadyEnrolled => "already enrolled", _ => "failed" },
        r.Message, r.PersonId, r.Duration.TotalMilliseconds);
}

/// <summary>A batch enrollment's result (API 1.4): counts and one entry per row, in order.</summary>
public sealed record BatchEnrollResponse(int Rows, int Enrolled, int AlreadyEnrolled, int Failed, IReadOnlyList<BatchRowResponse> Results, double ProcessingMs)
{
    internal static BatchEnrollResponse From(BulkEnrollmentSummary s) =>
        new(s.Rows.Count, s.Enrolled, s.AlreadyEnrolled, s.Failed, s.Rows.Select(BatchRowResponse.From).ToArray(), s.Duration.TotalMilliseconds);
}

/// <summary>The body of <c>PATCH /api/v1/people/{id}</c> (API 1.5): every field is optional; a field left out stays as it is.</summary>
/// <param name="Name">The new name (1–200 characters).</param>
/// <param name="ExternalId">The new external id (up to 64 characters); "" removes it.</param>
/// <param name="Gender">Declares the gender (female, male); "" withdraws the declaration, so the estimate shows again.</param>
/// <param name="Ethnicity">Declares the ethnicity (white, black, asian, indian, other); "" withdraws it.</param>
/// <param name="AgeBand">Declares the age band (0-17, 18-59, 60+); "" withdraws it.</param>
public sealed record PersonPatchRequest(string? Name, string? ExternalId, string? Gender, string? Ethnicity, string? AgeBand);

/// <summary>The answer to <c>PATCH /api/v1/people/{id}</c> (API 1.5).</summary>
/// <param name="Person">The person as stored now.</param>
/// <param name="Changes">What changed, in words; empty when nothing did (then nothing was written, no audit event).</param>
/// <param name="PreviousThreshold">The threshold before, when the person's demographic group changed and their threshold was read again for the new group; else null.</param>
public sealed record PersonPatchResponse(PersonResponse Person, IReadOnlyList<string> Changes, float? PreviousThreshold)
{
    internal static PersonPatchResponse From(EditPersonResult r) => new(PersonResponse.From(r.Person), r.Changes, r.PreviousThreshold);
}
