using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Population.Sampling;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Fairness;

/// <summary>What to assess.</summary>
/// <param name="LimitMultiple">
/// A person is flagged when their false-match rate against any group exceeds this many times the target FMR. Null (the
/// default): the saved policy (<see cref="GallerySettingsView.RiskLimitMultiple"/>, 10 until an administrator saves one);
/// a number is a trial limit for this assessment only, saved nowhere.
/// </param>
/// <param name="ImpostorsPerGroup">Synthetic impostors scored per negative group (shared by everyone, seeded). Default 1000.</param>
public sealed record GalleryRiskRequest(double? LimitMultiple = null, int ImpostorsPerGroup = GalleryRiskRequest.DefaultImpostorsPerGroup)
{
    /// <summary>10× the target: with the default 1e-3 target, a person accepting 1 % of some group's impostors is flagged.</summary>
    public const double DefaultLimitMultiple = 10;

    /// <summary>
    /// 1000 per group, not the 2000 calibration uses: half the scoring time, and the FMR resolution (1e-3) still
    /// sees the default limit (1e-2 = 10 false matches) clearly.
    /// </summary>
    public const int DefaultImpostorsPerGroup = 1000;
}

/// <summary>One person's expected false-match rate against one group's synthetic impostors.</summary>
/// <param name="Group">The negative group id.</param>
/// <param name="FalseMatches">Impostors of that group accepted at the person's threshold.</param>
/// <param name="Impostors">Impostors scored.</param>
public sealed record GroupRisk(string Group, int FalseMatches, int Impostors)
{
    /// <summary><see cref="FalseMatches"/> / <see cref="Impostors"/>: the rate at the person's threshold; 0 when no impostors were scored.</summary>
    public double Fmr => Impostors == 0 ? 0 : (double)FalseMatches / Impostors;
}

/// <summary>One enrolled person's risk row (no biometric data).</summary>
/// <param name="Id">Person id (links to <c>/gallery/{id}</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Gender">Declared, else estimated.</param>
/// <param name="Ethnicity">Declared, else estimated.</param>
/// <param name="AttributesEstimated">True when the gender or ethnicity shown is an estimate (each is marked on its own in the gallery).</param>
/// <param name="TemplateKind">The person's template kind.</param>
/// <param name="Threshold">The person's decision threshold (the current one).</param>
/// <param name="Groups">Per negative group, ordered by group id; empty when <paramref name="Error"/> is set.</param>
/// <param name="WorstGroup">The group with the highest FMR; null when there are no rates.</param>
/// <param name="WorstFmr">That highest FMR (0 without rates).</param>
/// <param name="Flagged">WorstFmr is above the limit.</param>
/// <param name="Error">Why the template could not be assessed (e.g. enrolled with another backbone); null when assessed.</param>
/// <param name="RealFmr">The false-match rate expected against real strangers of the person's own group at their threshold,
/// from the population pack's real-impostor calibration (measured, not synthetic); null when no calibration applies.</param>
/// <param name="RealGroup">The calibrated group <paramref name="RealFmr"/> is read from.</param>
/// <param name="RealFmrAtMost">The rate is an upper bound (the threshold is above every measured point).</param>
public sealed record PersonRisk(
    string Id, string Name, string? Gender, string? Ethnicity, bool AttributesEstimated, Core.Templates.TemplateKind TemplateKind, float Threshold,
    IReadOnlyList<GroupRisk> Groups, string? WorstGroup, double WorstFmr, bool Flagged, string? Error,
    double? RealFmr = null, string? RealGroup = null, bool RealFmrAtMost = false);

/// <summary>The gallery's risk assessment.</summary>
/// <param name="TargetFmr">The target FMR thresholds are calibrated to.</param>
/// <param name="Limit">The FMR above which a person is flagged (LimitMultiple × TargetFmr).</param>
/// <param name="LimitMultiple">The multiple applied: the request's trial limit, else the saved policy.</param>
/// <param name="ImpostorsPerGroup">Impostors scored per group.</param>
/// <param name="Groups">The pack's negative group ids, ordered.</param>
/// <param name="People">One row per enrolled person, riskiest first.</param>
/// <param name="Recomputed">How many people were scored now (the rest came from the cache).</param>
/// <param name="PolicyLimitMultiple">The saved policy's multiple (equal to <paramref name="LimitMultiple"/> unless a trial limit was asked for).</param>
/// <param name="LimitIsPolicy">True when the saved policy was applied, false for a trial limit.</param>
public sealed record GalleryRiskReport(
    double TargetFmr, double Limit, double LimitMultiple, int ImpostorsPerGroup, IReadOnlyList<string> Groups,
    IReadOnlyList<PersonRisk> People, int Recomputed, double PolicyLimitMultiple, bool LimitIsPolicy)
{
    /// <summary>How many people are flagged (their worst group's FMR is above <see cref="Limit"/>).</summary>
    public int FlaggedCount => People.Count(p => p.Flagged);
}

/// <summary>
/// Per-person rates kept between assessments in this process, keyed by person id, their concurrency stamp (new on
/// every retrain), the pack and the impostor count, so an unchanged person is never scored twice. Holds rates
/// only — no template, no descriptor.
/// </summary>
public sealed class GalleryRiskCache(TimeProvider time)
{
    private LatestGalleryRisk? _latest;

    private readonly ConcurrentDictionary<string, (IReadOnlyList<GroupRisk> Rates, Decisions.ScoreReading Real)> _rates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<(string Group, float[][] Impostors)>> _impostors = new(StringComparer.Ordinal);

    internal (IReadOnlyList<GroupRisk> Rates, Decisions.ScoreReading Real)? TryGet(string key) => _rates.TryGetValue(key, out var r) ? r : null;

    internal void Set(string key, IReadOnlyList<GroupRisk> rates, Decisions.ScoreReading real) => _rates[key] = (rates, real);

    internal List<(string Group, float[][] Impostors)> Impostors(string key, Func<List<(string, float[][])>> sample) =>
        _impostors.GetOrAdd(key, _ => sample());

    /// <summary>The latest whole-gallery assessment of this process and when it finished (for the overview); null before the first.</summary>
    public LatestGalleryRisk? Latest => Volatile.Read(ref _latest);

    internal void SetLatest(GalleryRiskReport report) => Volatile.Write(ref _latest, new LatestGalleryRisk(report, time.GetUtcNow()));

    /// <summary>How many person entries are cached (for tests and diagnostics).</summary>
    public int Count => _rates.Count;
}

/// <summary>A whole-gallery assessment and when it finished.</summary>
public sealed record LatestGalleryRisk(GalleryRiskReport Report, DateTimeOffset AssessedUtc);

/// <summary>
/// Gallery risk: for every enrolled person, the expected false-match rate against synthetic impostors of each
/// negative group of the population pack at the person's current threshold, and — where the pack carries a real-impostor
/// calibration — the rate expected against real strangers of their own group; people whose worst synthetic group or whose
/// real rate exceeds <see cref="GalleryRiskRequest.LimitMultiple"/> × the target FMR are flagged. Everyone is scored against the
/// same seeded impostors (seed <see cref="ImpostorSeed"/>), so rows compare like with like and reruns agree.
/// Unchanged people come from <see cref="GalleryRiskCache"/>. Read-only, writes no audit event. Needs
/// <see cref="Permission.ViewFairness"/>.
/// </summary>
public sealed class AssessGalleryRisk(MoteDbContext db, GalleryEngine engine, TemplateProtector protector, GallerySettingsStore settings, GalleryRiskCache cache)
{
    /// <summary>The impostor seed: fixed, apart from any person's training or calibration stream.</summary>
    public const int ImpostorSeed = 24_745;

    /// <summary>Refuses a bad trial limit or impostor count, in words (a null limit is the saved policy: fine).</summary>
    /// <exception cref="GalleryException">Bad limit or impostor count.</exception>
    public static void Check(GalleryRiskRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LimitMultiple is { } limitMultiple && (!(limitMultiple > 0) || double.IsInfinity(limitMultiple)))
        {
            throw new GalleryException("The limit must be a positive multiple of the target false-match rate.");
        }
        if (request.ImpostorsPerGroup is < 10 or > 20_000)
        {
            throw new GalleryException("Impostors per group must be between 10 and 20,000.");
        }
    }

    /// <summary>Assesses everyone; reports (done, total) people to <paramref name="progress"/>.</summary>
    /// <exception cref="GalleryException">Bad limit or impostor count, in words.</exception>
    public async Task<GalleryRiskReport> ExecuteAsync(Actor actor, GalleryRiskRequest request, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ViewFairness);
        var saved = await settings.ReadAsync(ct).ConfigureAwait(false);
        var limitMultiple = request.LimitMultiple ?? saved.RiskLimitMultiple;
        Check(request with { LimitMultiple = limitMultiple });
        var people = await db.People.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct).ConfigureAwait(false);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var population = engine.GetPopulation(analyzer.Backbone);
        var packId = PersonTemplateBuilder.PackId(population);
        var targetFmr = saved.TargetFmr;
        var limit = limitMultiple * targetFmr;
        var groups = population.Negatives.Keys.Select(g => g.Id).Order(StringComparer.Ordinal).ToArray();

        var impostors = cache.Impostors($"{packId}|{request.ImpostorsPerGroup}", () =>
        {
            var sampler = new TrainingSetSampler(population);
            var k = 0;
            return population.Negatives.Keys
                .Select(g => (g.Id, sampler.SampleImpostors(g, request.ImpostorsPerGroup, ImpostorSeed + k++)))
                .OrderBy(g => g.Id, StringComparer.Ordinal)
                .ToList();
        });

        var rows = new List<PersonRisk>(people.Count);
        var recomputed = 0;
        progress?.Report((0, people.Count));
        foreach (var p in people)
        {
            ct.ThrowIfCancellationRequested();
            var summary = PersonRowMapper.ToSummary(p);
            var key = $"{p.Id}|{p.ConcurrencyStamp}|{p.Threshold:R}|{packId}|{request.ImpostorsPerGroup}";
            IReadOnlyList<GroupRisk> rates = [];
            string? error = null;
            Decisions.ScoreReading? real = null;
            if (cache.TryGet(key) is { } cached)
            {
                (rates, real) = cached;
            }
            else
            {
                try
                {
                    var template = PersonRowMapper.OpenTemplate(p, protector, analyzer.Backbone);
                    var threshold = p.Threshold;
                    real = Decisions.ScoreReading.For(template, population, engine.TemplateSignatureFor(population.BackboneId), PersonGroup.Of(p), threshold, targetFmr);
                    // ~6 groups × 1000 impostors through a small MLP: CPU work, off the caller's (a circuit's) thread.
                    rates = await Task.Run(() => impostors
                        .Select(g => new GroupRisk(g.Group, g.Impostors.Count(x => template.Score(x) >= threshold), g.Impostors.Length))
                        .ToArray(), ct).ConfigureAwait(false);
                    cache.Set(key, rates, real);
                    recomputed++;
                }
                catch (GalleryException e)
                {
                    error = e.Message;
                }
            }
            var worst = rates.OrderByDescending(r => r.Fmr).ThenBy(r => r.Group, StringComparer.Ordinal).FirstOrDefault();
            var realFmr = real?.FalseMatchRate;
            rows.Add(new PersonRisk(p.Id, p.Name, summary.Gender, summary.Ethnicity, summary.GenderEstimated || summary.EthnicityEstimated, p.TemplateKind, p.Threshold,
                rates, worst?.Group, worst?.Fmr ?? 0, (worst is not null && worst.Fmr > limit) || realFmr > limit, error,
                realFmr, real?.CalibrationGroup, real?.AtMost ?? false));
            progress?.Report((rows.Count, people.Count));
        }
        var ordered = rows.OrderByDescending(r => r.WorstFmr).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();
        var report = new GalleryRiskReport(targetFmr, limit, limitMultiple, request.ImpostorsPerGroup, groups, ordered, recomputed,
            saved.RiskLimitMultiple, request.LimitMultiple is null);
        cache.SetLatest(report);
        return report;
    }
}

/// <summary>The saved gallery-risk policy as the risk tab shows it.</summary>
/// <param name="LimitMultiple">People above this many times the target FMR are flagged.</param>
/// <param name="IsDefault">True until an administrator saves a limit (then 10 applies).</param>
/// <param name="TargetFmr">The target FMR the multiple applies to.</param>
public sealed record GalleryRiskPolicy(double LimitMultiple, bool IsDefault, double TargetFmr)
{
    /// <summary>The flag limit as a false-match rate.</summary>
    public double Limit => LimitMultiple * TargetFmr;
}

/// <summary>Reads the saved gallery-risk limit (set on Settings → Thresholds). Needs <see cref="Permission.ViewFairness"/>; read-only.</summary>
public sealed class ReadGalleryRiskPolicy(GallerySettingsStore settings)
{
    /// <summary>The saved limit multiple (the default 10 until one is saved) and the target FMR it applies to.</summary>
    public async Task<GalleryRiskPolicy> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        var saved = await settings.ReadAsync(ct).ConfigureAwait(false);
        return new GalleryRiskPolicy(saved.RiskLimitMultiple, saved.RiskLimitIsDefault, saved.TargetFmr);
    }
}
