using System.Globalization;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Jobs;
using Mote.Gallery.Models;
using Mote.Gallery.Overview;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages;

public partial class Home
{
    private OverviewFigures? _figures;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() => _figures = await Loader.LoadAsync(await Actor.GetAsync());

    private static string Utc(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string PackStatus(ModelPackStatus status) => status switch
    {
        ModelPackStatus.Ready => "Ready",
        ModelPackStatus.Preparing => "Preparing",
        ModelPackStatus.Failed => "Failed",
        _ => "Not loaded yet (loads with the first face)",
    };

    private static string Evaluation(EvaluationJobStatus job) =>
        $"{job.Request.Describe()}, started by {job.StartedBy}: " + (job.State == EvaluationJobState.Recording
            ? "recording the report"
            : job.Progress.Total > 0 ? $"{job.Progress.Phase} {job.Progress.Done} / {job.Progress.Total}" : job.Progress.Phase);

    private static string KindName(JobKind kind) => kind switch
    {
        JobKind.Retrain => "Retraining",
        JobKind.AssessGalleryRisk => "Gallery risk assessment",
        JobKind.Backup => "Backup",
        JobKind.VerifyAudit => "Audit chain check",
        JobKind.Enroll => "Enrollment",
        JobKind.Evaluate => "Evaluation",
        JobKind.Explain => "Explanation",
        _ => kind.ToString(),
    };

    /// <summary>"Retraining Ada Example, asked by ada@example.org: training the model-template (40 %)"; the subject only where it says more than the kind.</summary>
    private static string JobLine(ActiveJob job) =>
        KindName(job.Kind) + (job.Kind is JobKind.Retrain or JobKind.Backup ? $" {job.Subject}" : "") + $", asked by {job.RequestedBy}: {job.Progress}";

    /// <summary>Where the job is shown: the person's page (a retraining), the Fairness page, Settings → Backup, the audit trail.</summary>
    private static string JobHref(ActiveJob job) => job.Kind switch
    {
        JobKind.Retrain when job.PersonId is { } person => $"gallery/{person}",
        JobKind.Retrain => "gallery",
        JobKind.AssessGalleryRisk or JobKind.Evaluate => "fairness",
        JobKind.Backup => "settings",
        JobKind.VerifyAudit => "audit",
        JobKind.Explain => "explanations",
        _ => "gallery/enroll",
    };

    private static string Describe(string area) => area switch
    {
        "Gallery" => "Enrolled people, each stored as a personal model-template instead of a face vector.",
        "Verify" => "Check a probe photo against one person (1:1) or the whole gallery (1:N).",
        "Fairness" => "False-match and false-non-match rates per demographic group, with confidence intervals.",
        "Explanations" => "Why a model-template accepted or rejected a probe: heatmaps and score context.",
        "Audit" => "Every sign-in, change and decision, in an append-only trail.",
        "Reports" => "Privacy and compliance reports for people (PDF) and machines (JSON).",
        "Settings" => "Users and roles, API keys, retention, thresholds and the model pack.",
        _ => "",
    };
}
