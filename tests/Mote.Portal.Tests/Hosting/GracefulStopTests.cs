using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 14: a graceful stop (SIGTERM) of the real portal process ends cleanly.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Sigterm_RunningPortal_ExitsZeroWithoutAnException()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix signal.
        }
        await using var portal = await PortalProcess.StartAsync();
        using (var client = portal.CreateClient())
        {
            // One request through the whole pipeline first, so scoped services and the database have been used.
            using var health = await client.GetAsync("healthz");
        }

        var code = await portal.TerminateAsync(TimeSpan.FromSeconds(60));

        var log = string.Join('\n', portal.Log);
        Assert.True(code == 0, $"Exit code {code}. Log:\n{log}");
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
        Assert.Contains("Application is shutting down", log, StringComparison.Ordinal);
    }
}
