using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mote.Portal.Tests.PostgreSql;

/// <summary>
/// Issue 15 item 4: two real portal processes on one real PostgreSQL database, four writers each, 500 audited requests per
/// writer (failed sign-ins: every attempt, refused or throttled, appends one event through the product's own sign-in page),
/// all at once: the trail holds every one of the 4,000 events in one contiguous chain (sequence numbers without a gap or a
/// repeat) that verifies. The Gallery's <c>PostgreSqlProviderTests</c> does the same with two instances in one process; this
/// is the same with two operating-system processes, each with its own connection pool, scheduler and data-protection ring.
/// </summary>
[Trait("Provider", "PostgreSql")]
public sealed class AuditChainFromTwoPortalsTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int RequestsPerWriter = 500;

    [Fact]
    public async Task TwoPortalProcesses_FourWritersEach_500AuditedRequestsEach_OneContiguousChainThatVerifies()
    {
        await using var gallery = await SharedPostgresGallery.CreateAsync("mote-two-portal-audit-");
        var portals = await gallery.StartPortalsAsync(2);
        var (a, b) = (portals[0], portals[1]);
        var before = await CountAsync(gallery);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var writers = new[] { a, b }.SelectMany((portal, p) => Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            using var client = portal.CreateClient(new CookieContainer());
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < RequestsPerWriter; i++)
            {
                using var response = await FormPost.SubmitAsync(client, "account/login", new Dictionary<string, string>
                {
                    ["Input.Email"] = $"nobody-{p}-{w}@example.org",
                    ["Input.Password"] = "not anyone's password",
                });
                statuses.Add(response.StatusCode);
            }
            return statuses;
        }))).ToArray();
        var answered = (await Task.WhenAll(writers)).SelectMany(s => s).ToArray();
        output.WriteLine($"{answered.Length} refused sign-ins through 2 portal processes × {Writers} writers in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(2 * Writers * RequestsPerWriter, answered.Length);
        Assert.DoesNotContain(answered, s => (int)s >= 500);
        await using var store = gallery.Open();
        var scope = store.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var refusals = await db.AuditEvents.CountAsync(e =>
                e.Code == (int)AuditEventCode.SignInFailed || e.Code == (int)AuditEventCode.SignInThrottled);
            var sequences = await db.AuditEvents.Select(e => e.Id).OrderBy(s => s).ToListAsync();
            var status = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(Actor.System);
            output.WriteLine($"{refusals} sign-in refusal events; {sequences.Count} events in all (before: {before}); {status.Summary}");

            Assert.True(refusals >= 2 * Writers * RequestsPerWriter, $"{refusals} refusal events for {answered.Length} refused sign-ins");
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
            Assert.True(status.Verified, status.Summary);
            Assert.Equal(sequences.Count, status.RowCount);
        }
    }

    private static async Task<int> CountAsync(SharedPostgresGallery gallery)
    {
        await using var store = gallery.Open();
        var scope = store.CreateAsyncScope();
        await using (scope)
        {
            return await scope.ServiceProvider.GetRequiredService<MoteDbContext>().AuditEvents.CountAsync();
        }
    }
}
