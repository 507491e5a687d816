using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>Where a background enrollment stands.</summary>
public enum EnrollmentJobState
{
    Queued,
    Analysing,
    Training,
    Calibrating,
    Saving,
    Done,
    Failed,
}

/// <summary>A background enrollment as the page polls it.</summary>
/// <param name="Id">Unguessable job id (128 random bits); the page keeps it in its address so a refresh re-attaches.</param>
/// <param name="Name">The name being enrolled.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Percent">Rough progress for the indicator (by stage, not by epoch).</param>
/// <param name="Message">The current stage or, when failed, why in words.</param>
/// <param name="PersonId">The enrolled person's id once done.</param>
/// <param name="SubmittedUtc">When it was queued.</param>
/// <param name="FinishedUtc">When it finished (done or failed).</param>
public sealed record EnrollmentJobStatus(
    string Id, string Name, EnrollmentJobState State, int Percent, string Message, string? PersonId,
    DateTimeOffset SubmittedUtc, DateTimeOffset? FinishedUtc)
{
    public bool IsFinished => State is EnrollmentJobState.Done or EnrollmentJobState.Failed;
}

/// <summary>
/// Runs enrollments in the background, one at a time (training is CPU-bound; two at once would only halve
/// each), so the page can show progress and survive a refresh. Job state lives in memory only: a restart
/// forgets finished jobs, and a job interrupted by a restart never wrote anything (enrollment commits in one
/// transaction at its end). The photo is held in memory until its job runs, never written to disk.
/// Submitting and reading jobs need <see cref="Permission.ManageGallery"/>; the job runs as the submitting actor,
/// so <see cref="EnrollPerson"/> checks the permission again and writes the one audit event.
/// </summary>
public sealed class EnrollmentQueue(IServiceScopeFactory scopes, TimeProvider time, ILogger<EnrollmentQueue> log) : BackgroundService
{
    /// <summary>Finished jobs are forgotten after this long.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>At most this many jobs wait; beyond it a submission is refused in words (each holds a photo of up to 10 MB).</summary>
    public const int Capacity = 32;

    private readonly Channel<(string Id, Actor Actor, EnrollmentRequest Request)> _pending =
        Channel.CreateBounded<(string, Actor, EnrollmentRequest)>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly ConcurrentDictionary<string, EnrollmentJobStatus> _jobs = new(StringComparer.Ordinal);

    /// <summary>Queues an enrollment; returns its status (state <see cref="EnrollmentJobState.Queued"/>). Checks size and name up front.</summary>
    public EnrollmentJobStatus Submit(Actor actor, EnrollmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        PhotoPolicy.CheckSize(request.Photo);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new GalleryException("Give the person a name of 1 to 200 characters.");
        }
        Prune();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var status = new EnrollmentJobStatus(id, request.Name.Trim(), EnrollmentJobState.Queued, 0, "waiting for earlier enrollments", null, time.GetUtcNow(), null);
        _jobs[id] = status;
        // The photo is copied: the caller's buffer (e.g. a pooled upload stream) may be reused once we return.
        var owned = request with { Photo = request.Photo.ToArray() };
        if (!_pending.Writer.TryWrite((id, actor, owned)))
        {
            _jobs.TryRemove(id, out _);
            throw new GalleryException($"{Capacity} enrollments are already waiting; try again when some have finished.");
        }
        return status;
    }

    /// <summary>The job's status, or null when there is no such job (unknown, or finished over an hour ago).</summary>
    public EnrollmentJobStatus? Get(Actor actor, string jobId)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return _jobs.TryGetValue(jobId ?? "", out var status) ? status : null;
    }

    /// <summary>The jobs queued or running now (not finished), oldest first; for the overview.</summary>
    public IReadOnlyList<EnrollmentJobStatus> Active(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return _jobs.Values.Where(j => !j.IsFinished).OrderBy(j => j.SubmittedUtc).ToArray();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (id, actor, request) in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunAsync(id, actor, request, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string id, Actor actor, EnrollmentRequest request, CancellationToken ct)
    {
        Update(id, EnrollmentJobState.Analysing, EnrollmentStages.Analysing);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            try
            {
                var enroll = scope.ServiceProvider.GetRequiredService<EnrollPerson>();
                var result = await enroll.ExecuteAsync(actor, request, new StageProgress(this, id), ct).ConfigureAwait(false);
                Finish(id, EnrollmentJobState.Done, $"{result.Person.Name} is enrolled.", result.Person.Id);
            }
            catch (GalleryException e)
            {
                Finish(id, EnrollmentJobState.Failed, e.Message, null);
            }
            catch (PermissionDeniedException e)
            {
                Finish(id, EnrollmentJobState.Failed, e.Message, null);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Finish(id, EnrollmentJobState.Failed, "The server stopped before the enrollment finished; nothing was stored. Enroll again.", null);
            }
#pragma warning disable CA1031 // A background job must report any failure to its page instead of killing the worker.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogError(e, "Enrollment job {JobId} failed", id);
                Finish(id, EnrollmentJobState.Failed, $"The enrollment failed unexpectedly ({e.GetType().Name}); nothing was stored.", null);
            }
        }
    }

    private void Update(string id, EnrollmentJobState state, string message)
    {
        if (_jobs.TryGetValue(id, out var status))
        {
            _jobs[id] = status with { State = state, Message = message, Percent = PercentOf(state) };
        }
    }

    private void Finish(string id, EnrollmentJobState state, string message, string? personId)
    {
        if (_jobs.TryGetValue(id, out var status))
        {
            _jobs[id] = status with { State = state, Message = message, PersonId = personId, Percent = 100, FinishedUtc = time.GetUtcNow() };
        }
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - Retention;
        foreach (var (id, status) in _jobs)
        {
            if (status.FinishedUtc is { } finished && finished < cutoff)
            {
                _jobs.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Rough shares by stage for the indicator: training the model-template is by far the longest stage.</summary>
    private static int PercentOf(EnrollmentJobState state) => state switch
    {
        EnrollmentJobState.Queued => 0,
        EnrollmentJobState.Analysing => 5,
        EnrollmentJobState.Training => 15,
        EnrollmentJobState.Calibrating => 85,
        EnrollmentJobState.Saving => 95,
        _ => 100,
    };

    /// <summary>Maps <see cref="EnrollPerson"/>'s stage reports onto the job, synchronously (no context to post to).</summary>
    private sealed class StageProgress(EnrollmentQueue queue, string id) : IProgress<string>
    {
        public void Report(string value)
        {
            var state = value switch
            {
                EnrollmentStages.Analysing => EnrollmentJobState.Analysing,
                EnrollmentStages.Training => EnrollmentJobState.Training,
                EnrollmentStages.Calibrating => EnrollmentJobState.Calibrating,
                EnrollmentStages.Saving => EnrollmentJobState.Saving,
                _ => (EnrollmentJobState?)null,
            };
            if (state is { } s)
            {
                queue.Update(id, s, value);
            }
        }
    }
}
