using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.PostgreSql;

/// <summary>
/// Two real portal processes on one real PostgreSQL database and one shared secrets folder (docs/deployment.md): both
/// start together (migrating the empty database once between them), a sign-in made on one is a valid session on the
/// other (the data-protection ring in the database), and what both write lands in one audit chain that verifies.
/// </summary>
[Trait("Provider", "PostgreSql")]
public sealed class TwoPortalsOnPostgreSqlTests
{
    private const string Email = "two-instances@example.org";

    [Fact]
    public async Task TwoPortals_OneDatabase_SessionFromOneAcceptedByTheOther_OneVerifyingChain()
    {
        await using var gallery = await SharedPostgresGallery.CreateAsync("mote-two-portals-");
        var portals = await gallery.StartPortalsAsync(2);
        var (a, b) = (portals[0], portals[1]);

        await PortalSession.CreateFirstAdminAsync(a, Email);
        var cookies = new CookieContainer();
        using var onA = a.CreateClient(cookies);
        using (var signIn = await PortalSession.SignInAsync(onA, Email))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        // The same cookies (cookies ignore the port) sent to the other process: a session there, not a redirect to sign in.
        using var onB = b.CreateClient(cookies);
        using var pageOnB = await onB.GetAsync(new Uri("audit", UriKind.Relative));
        using var exportOnB = await onB.GetAsync(new Uri("audit/export?format=csv", UriKind.Relative));
        using var anonymousOnB = await b.CreateClient().GetAsync(new Uri("audit", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, anonymousOnB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pageOnB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, exportOnB.StatusCode);
        Assert.Contains(Email, await exportOnB.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // One chain holds what both wrote (the setup and sign-in on A, the export on B), and it verifies.
        await using var store = gallery.Open();
        var scope = store.CreateAsyncScope();
        await using (scope)
        {
            var status = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(Actor.System);
            var (rows, _) = await scope.ServiceProvider.GetRequiredService<ListAuditEvents>().ExecuteAsync(Actor.Terminal("test"), 0, 100);
            Assert.True(status.Verified, status.Summary);
            Assert.True(status.RowCount >= 3, $"{status.RowCount} events");
            Assert.Contains(rows, e => e.Code == (int)AuditEventCode.SignInSucceeded);
            Assert.Contains(rows, e => e.Code == (int)AuditEventCode.AuditExported);
        }
    }
}
