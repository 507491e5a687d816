using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Hosting;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Quartz;

namespace Mote.Gallery.Backup;

/// <summary>
/// The scheduled backup's configuration (section <c>Mote:Backup</c>; docs/backup.md). Nothing is scheduled unless
/// <see cref="Folder"/> is set. The passphrase is read from <see cref="PassphraseFile"/> at each run: it lives neither in the
/// configuration nor in the database, and never in the job store.
/// </summary>
/// <param name="Folder">Where the archives are written (created owner-only when missing); null or empty: no schedule.</param>
/// <param name="EveryHours">The period, in hours (default 24).</param>
/// <param name="PassphraseFile">A file holding the passphrase (owner-only, outside the backup folder); required with <paramref name="Folder"/>.</param>
/// <param name="Keep">Keep only the newest this many scheduled archives in the folder; null or 0: keep all.</param>
public sealed record BackupScheduleSettings(string? Folder, double EveryHours, string? PassphraseFile, int? Keep)
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Mote:Backup";

    /// <summary>The period when none is configured: a day.</summary>
    public const double DefaultEveryHours = 24;

    /// <summary>The scheduled archives' names: <c>mote-</c>, the UTC time, <c>.motebak</c>; only these are ever pruned.</summary>
    public const string FilePrefix = "mote-";

    /// <summary>The archives' extension.</summary>
    public const string FileExtension = ".motebak";

    /// <summary>True when a schedule is asked for.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Folder);

    /// <summary>The period.</summary>
    public TimeSpan Period => TimeSpan.FromHours(EveryHours);

    /// <summary>Reads <see cref="Section"/>, resolving relative paths against <paramref name="contentRoot"/>.</summary>
    public static BackupScheduleSettings From(IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        string? Resolve(string key) => section[key] is { Length: > 0 } path ? Path.GetFullPath(path, contentRoot) : null;
        return new BackupScheduleSettings(Resolve("Folder"), section.GetValue("EveryHours", DefaultEveryHours), Resolve("PassphraseFile"), section.GetValue<int?>("Keep"));
    }

    /// <summary>Why the schedule cannot start, in words; null when it can. Checked at each start (and again by each run).</summary>
    public string? Problem(GalleryDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (!database.IsSqlite)
        {
            return $"Scheduled backups (Mote:Backup:Folder) apply to a SQLite gallery only. {PostgreSqlBackup.Advice}";
        }
        if (!(EveryHours > 0) || double.IsInfinity(EveryHours))
        {
            return $"Mote:Backup:EveryHours must be a positive number of hours (it is {EveryHours.ToString(CultureInfo.InvariantCulture)}).";
        }
        if (Keep is < 0)
        {
            return "Mote:Backup:Keep must be 0 (keep all) or more.";
        }
        if (PassphraseFile is null)
        {
            return "Mote:Backup:PassphraseFile is not set: name a file (owner-only, outside the repository, the database and the backup folder) holding the backup passphrase.";
        }
        if (!File.Exists(PassphraseFile))
        {
            return $"The backup passphrase file {PassphraseFile} (Mote:Backup:PassphraseFile) does not exist.";
        }
        var folder = Path.TrimEndingDirectorySeparator(Folder!) + Path.DirectorySeparatorChar;
        if (PassphraseFile.StartsWith(folder, StringComparison.Ordinal))
        {
            return $"The backup passphrase file {PassphraseFile} is inside the backup folder {Folder}: it would travel with the archives it unlocks. Keep it elsewhere.";
        }
        return null;
    }

    /// <summary>The passphrase: the file's first line.</summary>
    /// <exception cref="GalleryException">The file is gone or unreadable.</exception>
    internal string ReadPassphrase()
    {
        try
        {
            return File.ReadAllText(PassphraseFile ?? "").Split('\n')[0].TrimEnd('\r');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GalleryException($"The backup passphrase file {PassphraseFile} cannot be read ({e.Message}); no backup was written.");
        }
    }

    /// <summary>The archive name for a backup asked for at <paramref name="utc"/>: sortable, UTC, to the second.</summary>
    public static string FileNameFor(DateTimeOffset utc) =>
        FilePrefix + utc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + FileExtension;
}

/// <summary>What a scheduled backup wrote (stored with its job as JSON).</summary>
/// <param name="Path">The archive.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, hex.</param>
/// <param name="Deleted">Older scheduled archives removed to keep <see cref="BackupScheduleSettings.Keep"/>.</param>
public sealed record ScheduledBackupResult(string Path, long Bytes, string Sha256, IReadOnlyList<string> Deleted);

/// <summary>
/// The recurring trigger's job: submits one <see cref="JobKind.Backup"/> job as the system (granted
/// <see cref="Permission.ManageSettings"/> only), naming the archive by the time it was asked for. On PostgreSQL this would be
/// clustered like the audit check's, but scheduled backups apply to SQLite only (<see cref="BackupScheduleSettings.Problem"/>).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class BackupSchedule(JobRuntime runtime, BackupScheduleSettings settings, TimeProvider time) : IJob
{
    /// <summary>The schedule's job and trigger key, in the schedules' group.</summary>
    public static readonly JobKey Key = new("backup", JobRuntime.ScheduleGroup);

    /// <summary>Who a scheduled backup runs as: the system, allowed to back up and nothing else.</summary>
    public static readonly Actor ScheduledActor = Actor.System with { Name = "system (scheduled backup)", Granted = new HashSet<Permission> { Permission.ManageSettings } };

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(settings.Folder ?? "", BackupScheduleSettings.FileNameFor(time.GetUtcNow()));
        try
        {
            await runtime.SubmitAsync(JobKind.Backup, ScheduledActor, System.IO.Path.GetFileName(path), new BackupJobRequest(path), null, capacity: 1, cancellationToken).ConfigureAwait(false);
        }
        catch (GalleryBusyException)
        {
            // A backup still waits or runs (a slow disk, a short period): one is enough.
        }
    }
}

/// <summary>A scheduled backup's request: the archive's path, fixed when it was asked for.</summary>
internal sealed record BackupJobRequest(string Path);

/// <summary>
/// Runs one scheduled backup: <see cref="CreateBackup"/> to the path fixed at submission (a run repeated after a restart that
/// finds the archive an earlier run finished does not write a second), then removes the oldest scheduled archives beyond
/// <see cref="BackupScheduleSettings.Keep"/>. <see cref="CreateBackup"/> records the backup (<see cref="BackupStatus"/>) and
/// audits it as before.
/// </summary>
internal sealed partial class BackupJobHandler(CreateBackup create, BackupScheduleSettings settings, GalleryDatabase database, ILogger<BackupJobHandler> log) : IJobHandler
{
    public JobKind Kind => JobKind.Backup;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        if (settings.Problem(database) is { } problem)
        {
            throw new GalleryException(problem);
        }
        var path = run.Request<BackupJobRequest>().Path;
        string sha256;
        if (File.Exists(path))
        {
            sha256 = CreateBackup.Sha256Of(path); // an earlier run wrote it (the archive appears only when complete)
        }
        else
        {
            if (!Directory.Exists(settings.Folder))
            {
                CreateFolder(settings.Folder!);
            }
            run.Report("writing the archive");
            sha256 = (await create.ExecuteAsync(run.Actor, path, settings.ReadPassphrase(), ct).ConfigureAwait(false)).Sha256;
        }
        var bytes = new FileInfo(path).Length;
        var deleted = Prune(path);
        var result = new ScheduledBackupResult(path, bytes, sha256, deleted);
        return new JobResult(Path.GetFileName(path), $"Backup {Path.GetFileName(path)}: {bytes} bytes" + (deleted.Count > 0 ? $"; {deleted.Count} older removed." : "."),
            result, JsonSerializer.Serialize(result, JobRuntime.Json));
    }

    /// <summary>Removes the oldest scheduled archives beyond <see cref="BackupScheduleSettings.Keep"/> (never <paramref name="newest"/>, never other files).</summary>
    private List<string> Prune(string newest)
    {
        var deleted = new List<string>();
        if (settings.Keep is not { } keep || keep <= 0)
        {
            return deleted;
        }
        var scheduled = Directory.GetFiles(settings.Folder!, BackupScheduleSettings.FilePrefix + "*" + BackupScheduleSettings.FileExtension)
            .Where(f => !string.Equals(f, newest, StringComparison.Ordinal))
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
            .Skip(keep - 1);
        foreach (var old in scheduled)
        {
            try
            {
                File.Delete(old);
                deleted.Add(Path.GetFileName(old));
            }
            catch (IOException e)
            {
                LogPruneFailed(log, old, e.Message);
            }
        }
        return deleted;
    }

    private static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, Data.OwnerOnlyFiles.FolderMode);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the old backup {Path}: {Reason}")]
    private static partial void LogPruneFailed(ILogger logger, string path, string reason);
}

/// <summary>
/// At each start, makes the backup schedule in the job store match the configuration: none when <c>Mote:Backup:Folder</c> is
/// unset (a schedule left from an earlier configuration is removed); none, with an error logged, when the configuration
/// cannot work (no passphrase file, PostgreSQL); otherwise a trigger every <c>Mote:Backup:EveryHours</c>. A trigger already
/// stored with the same period is kept, so restarts do not shift (or skip) the cadence; a new or changed one fires at once.
/// After a stop that outlasted a period, the missed backup runs as soon as the portal is back.
/// </summary>
internal sealed partial class BackupScheduleService(ISchedulerFactory schedulers, BackupScheduleSettings settings, GalleryDatabase database, TimeProvider time,
    ILogger<BackupScheduleService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (!settings.IsConfigured)
        {
            await scheduler.DeleteJob(BackupSchedule.Key, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (settings.Problem(database) is { } problem)
        {
            await scheduler.DeleteJob(BackupSchedule.Key, cancellationToken).ConfigureAwait(false);
            LogRefused(log, problem);
            return;
        }
        var triggerKey = new TriggerKey(BackupSchedule.Key.Name, BackupSchedule.Key.Group);
        if (await scheduler.GetTrigger(triggerKey, cancellationToken).ConfigureAwait(false) is ISimpleTrigger existing && existing.RepeatInterval == settings.Period)
        {
            LogScheduled(log, settings.Folder!, settings.EveryHours, existing.NextFireTimeUtc);
            return;
        }
        var job = JobBuilder.Create<BackupSchedule>().WithIdentity(BackupSchedule.Key).StoreDurably(true).WithDescription("Mote backup schedule").Build();
        var trigger = TriggerBuilder.Create(time).WithIdentity(triggerKey).ForJob(BackupSchedule.Key).StartNow()
            .WithSimpleSchedule(s => s.WithInterval(settings.Period).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
        LogScheduled(log, settings.Folder!, settings.EveryHours, trigger.NextFireTimeUtc ?? trigger.StartTimeUtc);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled backups are configured but NOT started: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backups are scheduled into {Folder} every {Hours} h; next at {Next} UTC.")]
    private static partial void LogScheduled(ILogger logger, string folder, double hours, DateTimeOffset? next);
}
