using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Backup;
using Mote.Gallery.Jobs;
using Mote.Gallery.Tests.Jobs;

namespace Mote.Gallery.Tests.Backup;

/// <summary>
/// Scheduled backups (issue 15) in a real host with its Quartz scheduler on a real SQLite file: configured, a start writes
/// an archive at once, as a <see cref="JobKind.Backup"/> job whose result names it, which decrypts with the passphrase
/// from the file and whose manifest matches the database inside; older scheduled archives beyond <c>Keep</c> are removed
/// and nothing else is. Not configured, or configured without its passphrase file, nothing is scheduled (and a schedule
/// left by an earlier configuration is removed). On PostgreSQL (CI's second pass) the schedule is refused: pg_dump backs up there.
/// </summary>
public sealed class BackupScheduleTests
{
    private const string Passphrase = "a scheduled passphrase, long enough";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Configured_StartWritesAnArchiveAsAJob_ManifestVerifies_OldScheduledArchivesBeyondKeepRemoved()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            var backups = Path.Combine(folder, "backups");
            Directory.CreateDirectory(backups);
            // Two older scheduled archives and a file of the operator's: Keep = 2 leaves the new one and the newest old one.
            await File.WriteAllTextAsync(Path.Combine(backups, "mote-20200101T000000Z.motebak"), "old");
            await File.WriteAllTextAsync(Path.Combine(backups, "mote-20200102T000000Z.motebak"), "less old");
            await File.WriteAllTextAsync(Path.Combine(backups, "notes.txt"), "mine");
            await using var host = await JobHost.StartAsync(folder, Configuration(folder, backups, keep: 2));
            if (host.Postgres is not null)
            {
                await AssertNoScheduleAsync(host);
                return;
            }

            await host.WaitUntilAsync(() => host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Backup} AND State >= 2") == 1,
                TimeSpan.FromMinutes(2), "the first scheduled backup");
            var job = (await host.Services.GetRequiredService<JobRuntime>().LatestAsync(JobKind.Backup))!;
            Assert.True(job.State == JobState.Succeeded, job.Message);
            Assert.Equal("system (scheduled backup)", job.ActorName);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM QRTZ_SIMPLE_TRIGGERS WHERE TRIGGER_GROUP = '{JobRuntime.ScheduleGroup}' AND TRIGGER_NAME = 'backup' AND REPEAT_INTERVAL = {(long)TimeSpan.FromHours(12).TotalMilliseconds} AND REPEAT_COUNT = -1"));

            var written = Assert.Single(Directory.GetFiles(backups, "mote-2*.motebak"), f => !Path.GetFileName(f).StartsWith("mote-2020", StringComparison.Ordinal));
            Assert.Matches(@"^mote-\d{8}T\d{6}Z\.motebak$", Path.GetFileName(written));
            var result = JsonSerializer.Deserialize<ScheduledBackupResult>(job.ResultJson!, Web)!;
            Assert.Equal((written, new FileInfo(written).Length), (result.Path, result.Bytes));
            Assert.Equal(["mote-20200101T000000Z.motebak"], result.Deleted);
            Assert.Equal(["mote-20200102T000000Z.motebak", Path.GetFileName(written), "notes.txt"],
                Directory.GetFiles(backups).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(written, host.Services.GetRequiredService<BackupStatus>().Read()!.FileName);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupCreated}"));

            // The archive opens with the passphrase from the file, and its manifest describes the database it carries.
            var (manifest, database) = await OpenAsync(written, Passphrase);
            Assert.Equal(BackupManifest.CurrentFormat, manifest.Format);
            Assert.Equal(manifest.DatabaseBytes, database.Length);
            Assert.Equal(manifest.DatabaseSha256, Convert.ToHexString(SHA256.HashData(database)));
            Assert.Equal(result.Sha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(written))));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task NotConfigured_NothingScheduled_MissingPassphraseFile_RefusedAndEarlierScheduleRemoved()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            var backups = Path.Combine(folder, "backups");
            var first = await JobHost.StartAsync(folder);
            await first.WaitUntilAsync(() => first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 4 AND State = 2") >= 1, TimeSpan.FromMinutes(2), "the start's audit check");
            await AssertNoScheduleAsync(first);
            await first.StopAsync();

            if (first.Postgres is null)
            {
                // Configured properly once: a schedule is stored.
                var second = await JobHost.StartAsync(folder, Configuration(folder, backups, keep: null));
                await second.WaitUntilAsync(() => second.Scalar($"SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'backup' AND TRIGGER_GROUP = '{JobRuntime.ScheduleGroup}'") == 1, TimeSpan.FromMinutes(1), "the backup schedule");
                await second.WaitUntilAsync(() => second.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Backup} AND State >= 2") == 1, TimeSpan.FromMinutes(2), "the backup");
                await second.StopAsync();
            }

            // The passphrase file missing: refused (logged as an error), and the earlier schedule is gone.
            var missing = Configuration(folder, backups, keep: null);
            missing["Mote:Backup:PassphraseFile"] = Path.Combine(folder, "no-such-passphrase");
            await using var third = await JobHost.StartAsync(folder, missing);
            await AssertNoScheduleAsync(third);
            Assert.Equal(first.Postgres is null ? 1 : 0, third.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Backup}"));

            // And the settings' own refusals, in words.
            var database = third.Services.GetRequiredService<Hosting.GalleryDatabase>();
            if (!database.IsSqlite)
            {
                Assert.Contains("pg_dump", new BackupScheduleSettings(backups, 24, PassphraseFile(folder), null).Problem(database), StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains("does not exist", new BackupScheduleSettings(backups, 24, Path.Combine(folder, "no-such-passphrase"), null).Problem(database), StringComparison.Ordinal);
                Assert.Contains("EveryHours must be a positive number", new BackupScheduleSettings(backups, 0, PassphraseFile(folder), null).Problem(database), StringComparison.Ordinal);
                var inside = Path.Combine(backups, "pass.txt");
                Directory.CreateDirectory(backups);
                await File.WriteAllTextAsync(inside, Passphrase);
                Assert.Contains("inside the backup folder", new BackupScheduleSettings(backups, 24, inside, null).Problem(database), StringComparison.Ordinal);
                Assert.Null(new BackupScheduleSettings(backups, 24, PassphraseFile(folder), null).Problem(database));
            }
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    private static Dictionary<string, string?> Configuration(string folder, string backups, int? keep)
    {
        var passphrase = PassphraseFile(folder);
        if (!File.Exists(passphrase))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(passphrase)!);
            File.WriteAllText(passphrase, Passphrase + "\n");
        }
        return new Dictionary<string, string?>
        {
            ["Mote:Backup:Folder"] = backups,
            ["Mote:Backup:EveryHours"] = "12",
            ["Mote:Backup:PassphraseFile"] = passphrase,
            ["Mote:Backup:Keep"] = keep?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string PassphraseFile(string folder) => Path.Combine(folder, "private", "backup-passphrase");

    private static async Task AssertNoScheduleAsync(JobHost host)
    {
        // The hosted services have started (StartAsync returned), so the schedule's reconciliation has run.
        await Task.Yield();
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'backup' AND TRIGGER_GROUP = '{JobRuntime.ScheduleGroup}'"));
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM QRTZ_JOB_DETAILS WHERE JOB_NAME = 'backup' AND JOB_GROUP = '{JobRuntime.ScheduleGroup}'"));
    }

    private static async Task<(BackupManifest Manifest, byte[] Database)> OpenAsync(string archive, string passphrase)
    {
        var tar = new MemoryStream();
        await using (var input = File.OpenRead(archive))
        {
            await BackupCipher.DecryptAsync(input, tar, passphrase);
        }
        tar.Position = 0;
        BackupManifest? manifest = null;
        byte[]? database = null;
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.DataStream is null)
            {
                continue;
            }
            var bytes = new MemoryStream();
            await entry.DataStream.CopyToAsync(bytes);
            if (entry.Name == BackupLayout.Manifest)
            {
                manifest = JsonSerializer.Deserialize<BackupManifest>(bytes.ToArray());
            }
            else if (entry.Name == BackupLayout.Database)
            {
                database = bytes.ToArray();
            }
        }
        return (manifest ?? throw new InvalidDataException("no manifest"), database ?? throw new InvalidDataException("no database"));
    }
}
