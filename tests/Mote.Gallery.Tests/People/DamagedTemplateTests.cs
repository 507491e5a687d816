using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// Issue 14 item 11: one stored template that fails its integrity check no longer breaks 1:N for everyone — it is left
/// out, logged, audited once per stored template (not per lookup) and counted for the health check.
/// </summary>
public sealed class DamagedTemplateTests
{
    private static readonly BackboneIdentity Backbone = VectorPeople.Backbone;

    [Fact]
    public async Task GalleryIndex_OneTemplateDoesNotDecrypt_OthersIdentifiedDamagedLeftOutAuditedOnceAndLogged()
    {
        var logs = new CapturingLoggerProvider();
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<ILoggerProvider>(logs));
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var ada = VectorPeople.Build("Ada Intact", protector, VectorPeople.Axis(0), 1);
        var bob = VectorPeople.Build("Bob Intact", protector, VectorPeople.Axis(1), 2);
        var eve = VectorPeople.Build("Eve Damaged", protector, VectorPeople.Axis(2), 3);
        eve.TemplateBlob = ada.TemplateBlob; // copied from another record: bound to Ada's id, so it fails to decrypt for Eve
        await db.AddPeopleAsync(ada, bob, eve);
        var index = db.Services.GetRequiredService<GalleryIndex>();

        var snapshot = await index.GetAsync(Backbone, default);
        index.Invalidate();
        var again = await index.GetAsync(Backbone, default);

        Assert.Equal(["Ada Intact", "Bob Intact"], snapshot.People.Select(p => p.Name));
        var damaged = Assert.Single(snapshot.Damaged);
        Assert.Equal(eve.Id, damaged.PersonId);
        Assert.Contains("does not decrypt", damaged.Reason, StringComparison.Ordinal);
        var found = snapshot.Identifier!.Identify(Backbone, VectorPeople.Axis(1), snapshot.Thresholds, 5);
        Assert.Equal(1, Assert.Single(found.Candidates).TemplateIndex);
        Assert.Single(again.Damaged);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateIntegrityViolation} AND SubjectId = '{eve.Id}' AND ActorKind = {(int)ActorKind.System}"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal(2, logs.Errors.Count(m => m.Contains("Eve Damaged", StringComparison.Ordinal) && m.Contains("left out of 1:N", StringComparison.Ordinal)));
        Assert.Equal(1, await db.InScopeAsync<MoteDbContext, int>(c => TemplateIntegrity.CountDamagedAsync(c)));
        var status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));
        Assert.True(status.Verified, status.Summary);
        Assert.Equal(1, status.VerifiedUpTo);
    }

    [Fact]
    public async Task CountDamaged_PersonReEnrolledAfterTheEvent_NotCounted()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var eve = VectorPeople.Build("Eve Damaged", protector, VectorPeople.Axis(2), 3);
        eve.TemplateBlob = [1, 2, 3];
        await db.AddPeopleAsync(eve);
        await db.Services.GetRequiredService<GalleryIndex>().GetAsync(Backbone, default);
        Assert.Equal(1, await db.InScopeAsync<MoteDbContext, int>(c => TemplateIntegrity.CountDamagedAsync(c)));

        db.Execute(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"UPDATE People SET RetrainedUtc = {DateTimeOffset.UtcNow.AddMinutes(1).UtcTicks} WHERE Id = '{eve.Id}'"));

        Assert.Equal(0, await db.InScopeAsync<MoteDbContext, int>(c => TemplateIntegrity.CountDamagedAsync(c)));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    owner.Errors.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
