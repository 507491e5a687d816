using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Mote.Core.Templates;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Audit;
using Mote.Gallery.Decisions;
using Mote.Gallery.Evaluations;
using Mote.Gallery.People;
using Mote.Gallery.Settings;


namespace Mote.Gallery.Data;

/// <summary>
/// The Gallery database: Identity tables, the audit trail, people and model-templates, decisions. One model for both
/// providers; <see cref="PostgreSqlMoteDbContext"/> exists only to keep PostgreSQL's migrations apart from SQLite's.
/// </summary>
public class MoteDbContext : IdentityDbContext<PortalUser>, IDataProtectionKeyContext
{
    /// <summary>Creates the context with <paramref name="options"/> (provider and connection).</summary>
    public MoteDbContext(DbContextOptions<MoteDbContext> options) : base(options)
    {
    }

    /// <summary>For a derived, provider-specific context (<see cref="PostgreSqlMoteDbContext"/>).</summary>
    protected MoteDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>
    /// ASP.NET data-protection keys (cookies, antiforgery) when the portal runs on PostgreSQL, so that every instance reads the
    /// same ring; each key's XML is encrypted with the secrets folder's key first. Empty on SQLite (the ring stays in the secrets folder).
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The audit chain, one row per event; append-only.</summary>
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <summary>The erasable detail text of audit events, by event id.</summary>
    public DbSet<AuditPayload> AuditPayloads => Set<AuditPayload>();

    /// <summary>The API keys (HMACs of their secrets, never the secrets).</summary>
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    /// <summary>The gallery's one instance row.</summary>
    public DbSet<GalleryInstance> Instance => Set<GalleryInstance>();

    /// <summary>The enrolled people with their encrypted templates.</summary>
    public DbSet<Person> People => Set<Person>();

    /// <summary>The recorded verification and identification outcomes.</summary>
    public DbSet<Decision> Decisions => Set<Decision>();

    /// <summary>Enrollment photos kept under the retention settings.</summary>
    public DbSet<PersonImage> PersonImages => Set<PersonImage>();

    /// <summary>Probe photos kept under the retention settings.</summary>
    public DbSet<DecisionProbeImage> DecisionProbeImages => Set<DecisionProbeImage>();

    /// <summary>The explanations computed for decisions.</summary>
    public DbSet<DecisionExplanationRecord> DecisionExplanations => Set<DecisionExplanationRecord>();

    /// <summary>The gallery settings.</summary>
    public DbSet<GallerySettings> Settings => Set<GallerySettings>();

    /// <summary>Templates made for a backbone migration in progress, one per person.</summary>
    public DbSet<Engine.StagedTemplate> StagedTemplates => Set<Engine.StagedTemplate>();

    /// <summary>The recorded evaluation runs (aggregate figures and report text only).</summary>
    public DbSet<EvaluationRun> EvaluationRuns => Set<EvaluationRun>();

    /// <summary>The queued, running and finished background jobs.</summary>
    public DbSet<Jobs.BackgroundJob> BackgroundJobs => Set<Jobs.BackgroundJob>();

    /// <summary>What a pending explanation needs to be computed.</summary>
    public DbSet<DecisionExplanationInput> DecisionExplanationInputs => Set<DecisionExplanationInput>();

    /// <summary>The newest audit row appended in the open transaction; <see cref="AuditAnchorInterceptor"/> anchors it on commit.</summary>
    internal PendingAuditAnchor? PendingAuditAnchor { get; set; }

    /// <summary>
    /// Maps the Gallery's tables for both providers: keys, lengths, indexes, cascades (a person's decisions, images and
    /// explanations go with them), concurrency stamps, and times stored as UTC ticks, which SQLite can compare and order.
    /// </summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // SQLite cannot order or compare DateTimeOffset; store UTC ticks instead (sortable, exact).
        var utcTicks = new ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
        builder.Entity<PortalUser>().Property(u => u.CreatedUtc).HasConversion(utcTicks);

        builder.Entity<AuditEvent>(e =>
        {
            e.ToTable("AuditEvents");
            e.HasKey(x => x.Id);
            // The sequence number is assigned by AuditTrail under the write lock, not by SQLite.
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.OccurredUtc).HasConversion(utcTicks);
            e.Property(x => x.ActorId).HasMaxLength(200);
            e.Property(x => x.ActorName).HasMaxLength(300);
            e.Property(x => x.SubjectId).HasMaxLength(200);
            e.Property(x => x.Hash).IsRequired();
            e.HasIndex(x => x.OccurredUtc);
            e.HasIndex(x => x.Code);
            e.HasIndex(x => x.SubjectId);
        });

        builder.Entity<AuditPayload>(e =>
        {
            e.ToTable("AuditPayloads");
            e.HasKey(x => x.EventId);
            e.Property(x => x.EventId).ValueGeneratedNever();
            e.Property(x => x.Detail).HasMaxLength(2000);
            e.HasOne<AuditEvent>().WithOne().HasForeignKey<AuditPayload>(x => x.EventId).OnDelete(DeleteBehavior.Restrict);
        });

        var nullableTicks = new ValueConverter<DateTimeOffset?, long?>(
            v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);

        // The template kind is an enum in code and "model" / "vector" in its column, as it was before it was an enum
        // (the same text: no migration; queries comparing the enum compare those strings).
        var templateKind = new ValueConverter<TemplateKind, string>(v => v.ReportName(), v => TemplateKindNames.Parse(v));

        builder.Entity<Person>(e =>
        {
            e.ToTable("People");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(36);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.NormalizedName).HasMaxLength(200);
            e.Property(x => x.ExternalId).HasMaxLength(PersonIdentity.MaxExternalIdLength);
            e.Property(x => x.NormalizedExternalId).HasMaxLength(PersonIdentity.MaxExternalIdLength);
            // Equal names are allowed when external ids differ; the pair is unique (no id = ""), and so is a non-empty
            // external id. The indexes, not only the use case's check, refuse a concurrent duplicate (PersonIdentity).
            e.HasIndex(x => x.NormalizedName);
            e.HasIndex(x => new { x.NormalizedName, x.NormalizedExternalId }).IsUnique();
            e.HasIndex(x => x.NormalizedExternalId).IsUnique().HasFilter("\"NormalizedExternalId\" <> ''");
            // The 1:N index's freshness check reads MAX of both on every lookup (GalleryIndex): from an index, not a scan.
            e.HasIndex(x => x.EnrolledUtc);
            e.HasIndex(x => x.RetrainedUtc);
            e.Property(x => x.EnrolledUtc).HasConversion(utcTicks);
            e.Property(x => x.RetrainedUtc).HasConversion(nullableTicks);
            e.HasIndex(x => x.EnrolledUtc);
            // SQLite has no row version: the stamp is replaced on every save and checked in the WHERE clause.
            e.Property(x => x.ConcurrencyStamp).HasMaxLength(32).IsConcurrencyToken();
            e.Property(x => x.TemplateKind).HasConversion(templateKind);
        });

        builder.Entity<Decision>(e =>
        {
            e.ToTable("Decisions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(36);
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            e.HasIndex(x => x.PersonId);
            e.HasIndex(x => x.CreatedUtc);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DecisionProbeImage>(e =>
        {
            e.ToTable("DecisionProbeImages");
            e.HasKey(x => x.DecisionId);
            e.Property(x => x.DecisionId).HasMaxLength(36);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            // Erasing a person deletes their decisions, and with them the probe images kept for those decisions.
            e.HasOne<Decision>().WithOne().HasForeignKey<DecisionProbeImage>(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DecisionExplanationRecord>(e =>
        {
            e.ToTable("DecisionExplanations");
            e.HasKey(x => x.DecisionId);
            e.Property(x => x.DecisionId).HasMaxLength(36);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            // Erasing a person deletes their decisions, and with them the decisions' explanations.
            e.HasOne<Decision>().WithOne().HasForeignKey<DecisionExplanationRecord>(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DecisionExplanationInput>(e =>
        {
            e.ToTable("DecisionExplanationInputs");
            e.HasKey(x => x.DecisionId);
            e.Property(x => x.DecisionId).HasMaxLength(36);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            // Erasing a person deletes their decisions, and with them any explanation input still waiting.
            e.HasOne<Decision>().WithOne().HasForeignKey<DecisionExplanationInput>(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Jobs.BackgroundJob>(e =>
        {
            e.ToTable("BackgroundJobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(32);
            e.Property(x => x.Subject).HasMaxLength(256);
            e.Property(x => x.ActorName).HasMaxLength(256);
            e.Property(x => x.Phase).HasMaxLength(200);
            e.Property(x => x.ResultId).HasMaxLength(64);
            e.Property(x => x.CancelRequestedBy).HasMaxLength(256);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            e.Property(x => x.UpdatedUtc).HasConversion(utcTicks);
            e.Property(x => x.StartedUtc).HasConversion(nullableTicks);
            e.Property(x => x.FinishedUtc).HasConversion(nullableTicks);
            e.Ignore(x => x.IsFinished);
            e.HasIndex(x => new { x.Kind, x.State });
            e.HasIndex(x => x.Subject);
            e.HasIndex(x => x.CreatedUtc);
        });

        builder.Entity<PersonImage>(e =>
        {
            e.ToTable("PersonImages");
            e.HasKey(x => new { x.PersonId, x.Kind });
            e.Property(x => x.PersonId).HasMaxLength(36);
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GallerySettings>(e =>
        {
            e.ToTable("GallerySettings");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.ReferenceRetention).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.UpdatedUtc).HasConversion(nullableTicks);
            e.Property(x => x.UpdatedBy).HasMaxLength(300);
            e.Property(x => x.ConcurrencyStamp).HasMaxLength(32).IsConcurrencyToken();
            e.Property(x => x.BackboneId).HasMaxLength(200);
            e.Property(x => x.BackboneHash).HasMaxLength(64);
        });

        builder.Entity<Engine.StagedTemplate>(e =>
        {
            e.ToTable("StagedTemplates");
            e.HasKey(x => x.PersonId);
            e.Property(x => x.PersonId).HasMaxLength(36);
            e.Property(x => x.Backbone).HasMaxLength(100);
            e.Property(x => x.BackboneId).HasMaxLength(200);
            e.Property(x => x.BackboneHash).HasMaxLength(64);
            e.Property(x => x.TemplateKind).HasConversion(templateKind).HasMaxLength(16);
            e.Property(x => x.PopulationPackId).HasMaxLength(200);
            e.Property(x => x.PersonStamp).HasMaxLength(32);
            e.Property(x => x.StagedUtc).HasConversion(utcTicks);
            // Erasing a person deletes what a migration staged for them.
            e.HasOne<People.Person>().WithOne().HasForeignKey<Engine.StagedTemplate>(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<EvaluationRun>(e =>
        {
            e.ToTable("EvaluationRuns");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(36);
            e.Property(x => x.FinishedUtc).HasConversion(utcTicks);
            e.Property(x => x.RecordedUtc).HasConversion(utcTicks);
            e.HasIndex(x => x.RecordedUtc);
            e.Property(x => x.Dataset).HasMaxLength(1000);
            e.Property(x => x.Backbone).HasMaxLength(100);
            e.Property(x => x.PopulationPack).HasMaxLength(200);
            e.Property(x => x.Command).HasMaxLength(4000);
            e.Property(x => x.Commit).HasMaxLength(100);
            e.Property(x => x.ReportFolder).HasMaxLength(1000);
        });

        builder.Entity<GalleryInstance>(e =>
        {
            e.ToTable("GalleryInstance");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
        });

        builder.Entity<ApiKey>(e =>
        {
            e.ToTable("ApiKeys");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(36);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.HasIndex(x => x.Prefix).IsUnique();
            e.Property(x => x.CreatedBy).HasMaxLength(300);
            e.Property(x => x.CreatedUtc).HasConversion(utcTicks);
            e.Property(x => x.ExpiresUtc).HasConversion(nullableTicks);
            e.Property(x => x.RevokedUtc).HasConversion(nullableTicks);
            e.Property(x => x.LastUsedUtc).HasConversion(nullableTicks);
        });

        // The three roles exist in every database; fixed ids keep the seed stable across migrations.
        builder.Entity<IdentityRole>().HasData(
            Role("6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b01", Mote.Gallery.Security.Roles.Admin),
            Role("6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b02", Mote.Gallery.Security.Roles.Auditor),
            Role("6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b03", Mote.Gallery.Security.Roles.Operator));
    }

    private static IdentityRole Role(string id, string name) => new()
    {
        Id = id,
        Name = name,
        NormalizedName = name.ToUpperInvariant(),
        ConcurrencyStamp = id,
    };
}

/// <summary>
/// The Gallery's context on PostgreSQL: the same model as <see cref="MoteDbContext"/>, with its own migrations
/// (<c>Data/Migrations/PostgreSql</c>; EF Core's "one context type per provider" layout). Registered as <see cref="MoteDbContext"/>.
/// </summary>
public sealed class PostgreSqlMoteDbContext(DbContextOptions<PostgreSqlMoteDbContext> options) : MoteDbContext(options)
{
}
