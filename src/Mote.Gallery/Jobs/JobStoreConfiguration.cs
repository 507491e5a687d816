using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Gallery.Hosting;
using Quartz;

namespace Mote.Gallery.Jobs;

/// <summary>
/// The one place the job runtime's scheduler is configured: Quartz.NET with its persistent ADO job store in the gallery's
/// own database (tables created by the gallery's migration, <see cref="QuartzSchema"/>), on the gallery's provider
/// (<c>Mote:Gallery:Provider</c>, <see cref="GalleryDatabase"/>): the SQLite file (one serving process), or PostgreSQL with
/// Quartz's PostgreSQL delegate and clustering, since several portal instances may share that database (each fires a job's
/// trigger at most once across all of them, and a node that dies has its jobs recovered by the others).
/// </summary>
public static class JobStoreConfiguration
{
    /// <summary>The setting that lets enrollments run side by side (<c>true</c>/<c>false</c>, default false).</summary>
    public const string ParallelEnrollmentsSetting = "Mote:Jobs:ParallelEnrollments";

    /// <summary>Registers the scheduler, its hosted service (started by hosts, never by the command line), the job runtime and its start-up reconciliation.</summary>
    /// <param name="services">The gallery's services.</param>
    /// <param name="database">The gallery's database: the scheduler's tables live in it.</param>
    /// <param name="parallelEnrollments">
    /// <see cref="ParallelEnrollmentsSetting"/>: enrollments may run side by side (each process still trains one at a time,
    /// <see cref="Core.Templates.NativeWorkGate"/>), so several instances enroll several people at once. Off by default: one
    /// enrollment at a time across all instances, in the order submitted (docs/scale.md).
    /// </param>
    /// <param name="schedules">Adds the recurring schedules (the audit check's, written by the composition root, which knows the features).</param>
    public static IServiceCollection AddMoteJobs(this IServiceCollection services, GalleryDatabase database, bool parallelEnrollments = false, Action<IQuartzBuilder>? schedules = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "mote";
                if (!database.IsSqlite)
                {
                    o.InstanceId = ClusterInstanceId;
                }
                // A stop interrupts running jobs (their token is cancelled) and waits for them to put themselves back in the queue.
                o.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            // Jobs of one kind run one at a time (DurableJob); a few kinds may run side by side.
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(o =>
                {
                    // Job data holds strings only (a job id): no serialised objects in the store.
                    o.StoreJobDataAsStrings = true;
                    // The tables come from the gallery's migration (QuartzSchema); the store only checks them.
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                });
                store.UseSystemTextJsonSerializer(_ => { });
                UseGalleryStore(store, database);
            });
            foreach (var kind in Enum.GetValues<JobKind>())
            {
                // RequestRecovery: a job whose process died while running it (kill -9, power loss) is fired again, on PostgreSQL by
                // another instance as soon as the cluster sees the node gone; JobRuntime runs it again from its stored input (its
                // handlers are idempotent: an enrollment that was stored before the crash is not stored twice).
                if (kind == JobKind.Enroll && parallelEnrollments)
                {
                    q.AddJob<ParallelDurableJob>(j => j.WithIdentity(JobRuntime.KeyOf(kind)).StoreDurably(true).DisallowConcurrentExecution(false)
                        .RequestRecovery(true).WithDescription($"Mote {kind} jobs, side by side"));
                    continue;
                }
                q.AddJob<DurableJob>(j => j.WithIdentity(JobRuntime.KeyOf(kind)).StoreDurably(true).DisallowConcurrentExecution(true)
                    .RequestRecovery(true).WithDescription($"Mote {kind} jobs"));
            }
            schedules?.Invoke(q);
        });
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            // Started inside StartAsync, so the reconciliation below (registered after it) sees the scheduler's own recovery done.
            o.AwaitApplicationStarted = false;
        });
        services.AddSingleton<JobRuntime>();
        services.AddHostedService<JobRuntimeService>();
        return services;
    }

    private static void UseGalleryStore(IPersistentStoreBuilder store, GalleryDatabase database)
    {
        if (database.IsSqlite)
        {
            // Its own connections to the gallery's file; foreign keys on so the trigger tables cascade.
            store.UseSqlite(GalleryDatabase.ConnectionString(database.Path));
            return;
        }
        // Npgsql's factory handed over directly (no driver looked up by name); the same connection string, password included.
        store.UsePostgres(Npgsql.NpgsqlFactory.Instance, database.ConnectionStringWithPassword!);
        // Several instances may serve one PostgreSQL gallery: each needs its own instance id (ClusterInstanceId), and the store's row
        // locks so that a trigger fires on one of them only.
        store.UseClustering(_ => { });
    }

    /// <summary>
    /// The scheduler's instance id in a cluster: host and process id, so an operator (and the failover test) can tell from
    /// <c>qrtz_fired_triggers.instance_name</c> which process runs a job. Unique among live instances; a restarted process that
    /// gets the same id takes over its predecessor's record, which Quartz treats as its own recovery.
    /// </summary>
    public static string ClusterInstanceId => $"{Environment.MachineName}-{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Runs <see cref="JobRuntime.ReconcileAsync"/> once the scheduler has started. Jobs submitted while the host stops stay
/// queued in the store and run at the next start.</summary>
internal sealed class JobRuntimeService(JobRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.ReconcileAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
