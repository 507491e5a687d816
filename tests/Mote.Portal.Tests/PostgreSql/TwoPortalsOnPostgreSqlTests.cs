using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
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
        var connection = await TestPostgres.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("mote-two-portals-").FullName;
        var secrets = Path.Combine(folder, "secrets");
        try
        {
            string[] settings = ["--Mote:Gallery:Provider=PostgreSql", $"--Mote:Gallery:ConnectionString={connection}", $"--Mote:Secrets:Directory={secrets}"];
            var starting = new[] { PortalProcess.StartAsync(settings), PortalProcess.StartAsync(settings) };
            await using var a = await starting[0];
            await using var b = await starting[1];

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
            await using var store = Open(connection, secrets, folder);
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
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection);
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static ServiceProvider Open(string connection, string secrets, string folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql),
            [$"{GalleryOptions.Section}:ConnectionString"] = connection,
            [$"{SecretsOptions.Section}:Directory"] = secrets,
            [TestEnvironment.BackboneKey] = TestEnvironment.Backbone,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMoteGallery(configuration, folder);
        return services.BuildServiceProvider();
    }
}
