using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>One real portal process shared by the read-only tests of a class.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; private set; } = null!;

    public async Task InitializeAsync() => Portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await Portal.DisposeAsync();
}
