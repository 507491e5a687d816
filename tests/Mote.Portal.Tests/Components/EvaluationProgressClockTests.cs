using Microsoft.Extensions.Time.Testing;
using Mote.Core.Evaluation;
using Mote.Gallery.Evaluations;
using Mote.Portal.Components.Pages.Fairness;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The evaluation progress line (issue 16: "describe 375/375" for 30 s with no estimate): phase, an estimate from the
/// pace the page saw, and elapsed time, on a fake clock.
/// </summary>
public sealed class EvaluationProgressClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_StepsAtAPace_EstimatesThePhaseFromThatPace_AndCountsElapsedFromTheRunStart()
    {
        var time = new FakeTimeProvider(Start.AddSeconds(40));
        var clock = new EvaluationProgressClock(time);

        var first = clock.Observe(Job("describe", 100, 375))!;
        Assert.Null(first.Left);
        Assert.Equal("Phase: describe 100 / 375 · estimating the time left… · elapsed 40 s", first.Text);

        time.Advance(TimeSpan.FromSeconds(10)); // 25 photos in 10 s: 0.4 s each, 250 left → 100 s
        var later = clock.Observe(Job("describe", 125, 375))!;
        Assert.Equal(TimeSpan.FromSeconds(100), later.Left);
        Assert.Equal("Phase: describe 125 / 375 · about 1 min 40 s left in this phase · elapsed 50 s", later.Text);
    }

    [Fact]
    public void Observe_CountDoneButThePhaseGoesOn_SaysItIsFinishingAndHowLongSoFar()
    {
        var time = new FakeTimeProvider(Start.AddMinutes(3));
        var clock = new EvaluationProgressClock(time);
        clock.Observe(Job("describe", 375, 375));

        time.Advance(TimeSpan.FromSeconds(30));
        var stalled = clock.Observe(Job("describe", 375, 375))!;

        Assert.True(stalled.PhaseCountDone);
        Assert.Equal("Phase: describe 375 / 375 · counted steps done, finishing the phase (30 s in it so far) · elapsed 3 min 30 s", stalled.Text);
    }

    [Fact]
    public void Observe_NewPhase_StartsItsOwnClock_FinishedJob_NoTiming()
    {
        var time = new FakeTimeProvider(Start.AddMinutes(61));
        var clock = new EvaluationProgressClock(time);
        clock.Observe(Job("describe", 375, 375));
        time.Advance(TimeSpan.FromSeconds(20));

        var training = clock.Observe(Job("train model-templates", 0, 40))!;
        Assert.Equal(TimeSpan.Zero, training.InPhase);
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(TimeSpan.FromSeconds(8 * 38 / 2), clock.Observe(Job("train model-templates", 2, 40))!.Left);
        Assert.EndsWith("elapsed 1 h 01 min", clock.Observe(Job("train model-templates", 2, 40))!.Text, StringComparison.Ordinal);
        Assert.Null(clock.Observe(Job("train model-templates", 40, 40) with { State = EvaluationJobState.Succeeded }));
    }

    private static EvaluationJobStatus Job(string phase, int done, int total) => new(
        "job-1", new EvaluationRunRequest("lfw-dev"), "ada@example.org", Start, EvaluationJobState.Running,
        new EvaluationProgress(phase, done, total), null, null, null, null);
}
