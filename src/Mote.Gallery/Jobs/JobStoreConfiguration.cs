using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace Mote.Gallery.Jobs;

/// <summary>
/// The one place the job runtime's scheduler is configured: Quartz.NET with its persistent ADO job store in the gallery's
/// own database (tables created by the gallery's migration, <see cref="QuartzSchema"/>), chosen by the gallery's provider
/// setting <c>Mote:Gallery:Provider</c> (<c>Sqlite</c>, the default). A second provider adds its case in
/// <see cref="UseGalleryStore"/> (Quartz has a PostgreSQL delegate, <c>UsePostgres</c>, and clustering for several
/// instances: <c>UseClustering</c>).
/// </summary>
public static class JobStoreConfiguration
{
    /// <summary>The gallery's database provider setting, shared with the EF Core registration.</summary>
    public const string ProviderKey = "Mote:Gallery:Provider";

    /// <summary>Registers the scheduler, its hosted service (started by hosts, never by the command line), the job runtime and its start-up reconciliation.</summary>
    /// <param name="services">The gallery's services.</param>
    /// <param name="configuration">Read for <see cref="ProviderKey"/>.</param>
    /// <param name="sqlitePath">The gallery's SQLite file (used when the provider is SQLite).</param>
    public static IServiceCollection AddMoteJobs(this IServiceCollection services, IConfiguration configuration, string sqlitePath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration[ProviderKey] is { Length: > 0 } named ? named : "Sqlite";
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "mote";
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
                UseGalleryStore(store, provider, sqlitePath);
            });
            foreach (var kind in Enum.GetValues<JobKind>())
            {
                q.AddJob<DurableJob>(j => j.WithIdentity(JobRuntime.KeyOf(kind)).StoreDurably(true).DisallowConcurrentExecution(true)
                    .WithDescription($"Mote {kind} jobs"));
            }
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

    private static void UseGalleryStore(IPersistentStoreBuilder store, string provider, string sqlitePath)
    {
        switch (provider)
        {
            case "Sqlite":
                // Its own connections to the gallery's file; foreign keys on so the trigger tables cascade.
                store.UseSqlite(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = true, ForeignKeys = true }.ToString());
                break;
            default:
                throw new InvalidOperationException($"{ProviderKey} is '{provider}': the job runtime supports 'Sqlite' only so far.");
        }
    }
}

/// <summary>Runs <see cref="JobRuntime.ReconcileAsync"/> once the scheduler has started. Jobs submitted while the host stops stay
/// queued in the store and run at the next start.</summary>
internal sealed class JobRuntimeService(JobRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.ReconcileAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
