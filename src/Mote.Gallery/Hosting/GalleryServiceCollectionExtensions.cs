using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mote.Core.Models;
using Mote.Core.Models.Catalog;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Audit;
using Mote.Gallery.Backbones;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Erasure;
using Mote.Gallery.Fairness;
using Mote.Gallery.Jobs;
using Mote.Gallery.People;
using Mote.Gallery.Reports;
using Mote.Gallery.Security;
using Mote.Gallery.Models;
using Mote.Gallery.Data;
using Mote.Gallery.Settings;
using Mote.Gallery.Users;

namespace Mote.Gallery.Hosting;

/// <summary>Registration of everything the Gallery provides; shared by the portal and the CLI.</summary>
public static class GalleryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database (SQLite file from <see cref="GalleryOptions.DatabasePath"/>, resolved
    /// against <paramref name="contentRoot"/>; its folder and the file are created owner-only, see <see cref="OwnerOnlyFiles"/>), Identity's user store, the
    /// audit trail and the use cases. The portal adds cookies and <c>SignInManager</c> on top.
    /// </summary>
    public static IdentityBuilder AddMoteGallery(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(GalleryOptions.Section).Get<GalleryOptions>() ?? new GalleryOptions();
        var secretsOptions = configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
        var database = GalleryDatabase.From(options, contentRoot, secretsOptions);
        if (database.IsSqlite)
        {
            // The database holds encrypted templates and the audit trail: owner-only, like the secrets folder (issue 14 item 15).
            OwnerOnlyFiles.PrepareDatabase(database.Path);
        }
        services.AddSingleton(database);
        services.Configure<SecretsOptions>(configuration.GetSection(SecretsOptions.Section));

        var modelSettings = configuration.GetSection(ModelSettings.Section).Get<ModelSettings>() ?? new ModelSettings();
        services.AddSingleton(modelSettings);
        services.AddSingleton(modelSettings.ToOptions(contentRoot));
        services.AddSingleton<IEnumerable<IModelRecipe>>(ModelCatalog.DefaultRecipes());
        services.AddSingleton<ModelPackService>();
        services.AddScoped<ReadModelPackStatus>();

        var engineSettings = EngineSettings.Bind(configuration);
        services.AddSingleton(engineSettings);
        services.AddSingleton(new PopulationPackLocator(engineSettings, contentRoot));
        var faceOptions = configuration.GetSection(Mote.Core.Faces.Pipeline.FacePipelineOptions.Section).Get<Mote.Core.Faces.Pipeline.FacePipelineOptions>()
            ?? new Mote.Core.Faces.Pipeline.FacePipelineOptions();
        faceOptions.Validate();
        services.AddSingleton(faceOptions);
        var customModels = new CustomModelSettings(
            configuration.GetSection(Mote.Core.Faces.Descriptors.CustomModelOptions.SectionName).Get<Mote.Core.Faces.Descriptors.CustomModelOptions>() ?? new(),
            contentRoot);
        services.AddSingleton(customModels);
        services.AddSingleton<IFaceAnalyzerFactory>(new PipelineFaceAnalyzerFactory(faceOptions, customModels));
        services.AddSingleton<GalleryEngine>();
        services.AddSingleton<GalleryIndex>();
        // The measured pre-fill cutoffs (docs/attributes.md), each replaceable under Mote:Attributes:MinimumConfidence; one
        // instance, so the form, the API and `mote` judge estimates alike.
        var cutoffSection = configuration.GetSection(Mote.Core.Faces.Attributes.AttributeConfidence.Section);
        services.TryAddSingleton(Mote.Core.Faces.Attributes.AttributeConfidence.Configured(key => cutoffSection[key]));
        services.AddScoped<EnrollPerson>();
        services.AddScoped<EnrollPeopleInBulk>();
        services.AddScoped<ListPeople>();
        services.AddScoped<InspectTemplate>();
        services.AddScoped<ErasePerson>();
        services.AddSingleton<ErasureLedger>();
        services.AddScoped<ReapplyErasures>();
        services.AddScoped<Backup.CreateBackup>();
        services.AddScoped<Backup.RestoreBackup>();
        services.AddSingleton<Backup.BackupStatus>();
        services.AddScoped<Keys.RotateTemplateKey>();
        services.AddScoped<Keys.ReadTemplateKeyUsage>();
        // The portal marks its database as served, so `mote restore` does not replace it under it.
        services.AddHostedService<ServingLockService>();
        services.AddScoped<AnalyzePhoto>();
        services.AddScoped<AnalyzeProbe>();
        services.AddScoped<GetPerson>();
        services.AddScoped<ReadLeftOutGroups>();
        services.AddScoped<CheckPersonIdentity>();
        services.AddScoped<PreviewBalance>();
        services.AddScoped<RetrainPerson>();
        services.AddScoped<EditPerson>();
        services.AddScoped<AssessGalleryRisk>();
        services.AddScoped<ReadGalleryRiskPolicy>();
        services.AddSingleton<GalleryRiskCache>();
        // The overview's figures (one cheap read each).
        services.AddScoped<Overview.CountPeople>();
        services.AddScoped<Overview.ReadLastBackup>();
        services.AddScoped<Overview.CountDecisionsToday>();
        services.AddScoped<Overview.ReadGalleryRiskSummary>();
        services.AddScoped<Overview.ReadModelPackSummary>();
        services.AddScoped<Overview.ReadRunningJobs>();
        // Background work is durable jobs in the gallery's database (Jobs/, docs/decisions/0019); a host starts the
        // scheduler, the CLI never does (it enrolls and evaluates in the foreground).
        var auditPeriod = TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue(Audit.AuditChecks.PeriodSetting, 60)));
        services.AddMoteJobs(database, configuration.GetValue(Jobs.JobStoreConfiguration.ParallelEnrollmentsSetting, false),
            q => Audit.AuditCheckSchedule.AddTo(q, auditPeriod));
        services.AddScoped<Audit.AuditChecks>();
        services.AddScoped<IJobHandler, Audit.VerifyAuditJobHandler>();
        services.AddSingleton<EnrollmentQueue>();
        services.AddScoped<IJobHandler, EnrollJobHandler>();
        services.AddScoped<RetrainQueue>();
        services.AddScoped<IJobHandler, RetrainJobHandler>();
        services.AddScoped<Fairness.GalleryRiskJobs>();
        services.AddScoped<IJobHandler, Fairness.GalleryRiskJobHandler>();
        // Scheduled backups, only when Mote:Backup:Folder is set (docs/backup.md): a recurring trigger in the job store.
        services.AddSingleton(Backup.BackupScheduleSettings.From(configuration, contentRoot));
        services.AddScoped<IJobHandler, Backup.BackupJobHandler>();
        services.AddHostedService<Backup.BackupScheduleService>();
        services.AddScoped<VerifyProbe>();
        services.AddScoped<IdentifyProbe>();
        services.AddScoped<ExplainDecision>();
        // Explanation faces are kept for the settings' days, then cleared (a host sweeps hourly; readers hide expired ones).
        services.AddHostedService<ExplanationFaceRetentionService>();
        services.AddScoped<FaithfulnessSurvey>();
        services.AddScoped<GetExplanation>();
        services.AddSingleton<DecisionExplanationQueue>();
        services.AddScoped<IJobHandler, ExplainJobHandler>();
        services.AddSingleton<BuildPopulationPack>();
        services.AddSingleton<CalibratePopulationPack>();
        services.AddScoped<GallerySettingsStore>();
        services.AddScoped<ReadGallerySettings>();
        services.AddScoped<UpdateGallerySettings>();
        services.AddScoped<MigrateGalleryBackbone>();
        services.AddScoped<ReadGalleryBackbones>();

        services.AddSingleton<AuditAnchorInterceptor>();
        if (database.IsSqlite)
        {
            services.AddDbContext<MoteDbContext>((sp, o) => o
                .UseSqlite(GalleryDatabase.ConnectionString(database.Path))
                .AddInterceptors(new SqlitePragmaInterceptor(), sp.GetRequiredService<AuditAnchorInterceptor>()));
        }
        else
        {
            // Its own context type only so that its migrations (Data/Migrations/PostgreSql) are told apart from SQLite's;
            // everything resolves MoteDbContext as before.
            services.AddDbContext<MoteDbContext, PostgreSqlMoteDbContext>((sp, o) => o
                .UseNpgsql(database.ConnectionStringWithPassword)
                .AddInterceptors(sp.GetRequiredService<AuditAnchorInterceptor>()));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<AuditTrail>();
        services.AddScoped<Evaluations.RecordEvaluationRun>();
        services.AddScoped<Evaluations.ListEvaluationRuns>();
        services.AddScoped<Evaluations.ShowEvaluationRun>();
        var evaluation = configuration.GetSection(Evaluations.EvaluationRunSettings.Section).Get<Evaluations.EvaluationRunSettings>() ?? new Evaluations.EvaluationRunSettings();
        services.AddSingleton(evaluation.Resolve(contentRoot));
        services.AddSingleton<Evaluations.ListEvaluationDatasets>();
        // One evaluation at a time, as a durable job (registered once: a singleton that was also a hosted service was disposed
        // twice and crashed every graceful stop).
        services.AddSingleton<Evaluations.EvaluationJobs>();
        services.AddScoped<IJobHandler, Evaluations.EvaluateJobHandler>();
        services.AddScoped<ListAuditEvents>();
        services.AddScoped<AuditVerifier>();
        services.AddScoped<ExportAuditTrail>();
        services.AddScoped<ExportComplianceReport>();
        services.AddScoped<ListReportExports>();
        services.AddSingleton<AuditAnchor>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<CreateUser>();
        services.AddScoped<ListUsers>();
        services.AddScoped<ChangeUserRole>();
        services.AddScoped<DisableUser>();
        services.AddScoped<EnableUser>();
        services.AddScoped<EndUserSessions>();
        services.AddScoped<IssuePasswordReset>();
        services.AddScoped<CompletePasswordReset>();
        services.AddScoped<ResolveUserActor>();
        services.AddScoped<AuthenticatorStore>();
        services.AddScoped<ReadMfaStatus>();
        services.AddScoped<BeginMfaSetup>();
        services.AddScoped<ConfirmMfaSetup>();
        services.AddScoped<DisableMfa>();
        services.AddScoped<RegenerateRecoveryCodes>();
        services.AddScoped<ResetUserMfa>();
        services.AddOptions<SignInPolicy>().Bind(configuration.GetSection(SignInPolicy.Section)).ValidateDataAnnotations();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<CompleteSetup>();
        services.AddSingleton<SetupToken>();
        services.AddSingleton<SecretKeyStore>();
        services.AddSingleton<TemplateProtector>();
        services.AddSingleton<ApiKeySecrets>();
        services.AddScoped<CreateApiKey>();
        services.AddScoped<RevokeApiKey>();
        services.AddScoped<ListApiKeys>();
        services.AddScoped<AuthenticateApiKey>();

        var signIn = configuration.GetSection(SignInPolicy.Section).Get<SignInPolicy>() ?? new SignInPolicy();
        return services
            .AddIdentityCore<PortalUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B §5.1.1.2).
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.User.RequireUniqueEmail = true;
                // Non-Admin accounts only: SignInUser never counts an Admin's failures towards a lock-out (issue 14 item 6).
                o.Lockout.MaxFailedAccessAttempts = signIn.FailuresPerAccount;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(signIn.LockoutMinutes);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MoteDbContext>()
            .AddPasswordValidator<PasswordBlocklist>();
    }
}

/// <summary>
/// Where the Gallery's data lives — a SQLite file (<see cref="Path"/>) or a PostgreSQL database (<see cref="ConnectionStringWithPassword"/>) —
/// and how to bring its schema up to date. Features that only exist for a SQLite file (online backup, restore, the serving
/// lock, WAL truncation, file modes) ask <see cref="RequireSqlite"/>, which refuses on PostgreSQL with what to do instead.
/// </summary>
public sealed class GalleryDatabase
{
    /// <summary>The environment variable a PostgreSQL password is read from when the connection string names none.</summary>
    public const string PasswordVariable = "MOTE_POSTGRES_PASSWORD";

    /// <summary>The file in the secrets folder a PostgreSQL password is read from when neither the connection string nor the variable has one.</summary>
    public const string PasswordFile = "postgres.password";

    private readonly string? _path;

    /// <summary>A SQLite file.</summary>
    public GalleryDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Provider = GalleryProvider.Sqlite;
        _path = path;
    }

    private GalleryDatabase(string connectionString, string description)
    {
        Provider = GalleryProvider.PostgreSql;
        ConnectionStringWithPassword = connectionString;
        Description = description;
    }

    /// <summary>Which engine holds the Gallery.</summary>
    public GalleryProvider Provider { get; }

    /// <summary>True for the embedded SQLite file (<see cref="Path"/> is set).</summary>
    public bool IsSqlite => Provider == GalleryProvider.Sqlite;

    /// <summary>True for PostgreSQL (<see cref="ConnectionStringWithPassword"/> is set).</summary>
    public bool IsPostgreSql => Provider == GalleryProvider.PostgreSql;

    /// <summary>The SQLite file; throws on PostgreSQL (there is no file: use <see cref="RequireSqlite"/> first).</summary>
    public string Path => _path ?? throw RequireSqliteError("this operation", "");

    /// <summary>The PostgreSQL connection string, password included (never logged); null for SQLite.</summary>
    public string? ConnectionStringWithPassword { get; }

    /// <summary>What to call the database in messages: the file, or host/port/database (never the password).</summary>
    public string Description { get; } = "";

    /// <summary>Throws a <see cref="GalleryException"/> naming <paramref name="feature"/> and <paramref name="instead"/> when this is not a SQLite file.</summary>
    public void RequireSqlite(string feature, string instead)
    {
        if (!IsSqlite)
        {
            throw RequireSqliteError(feature, instead);
        }
    }

    private GalleryException RequireSqliteError(string feature, string instead) => new(
        $"{char.ToUpperInvariant(feature[0])}{feature[1..]} works on the embedded SQLite file only; this Gallery runs on PostgreSQL ({Description}). {instead}".TrimEnd(),
        GalleryErrorKind.Conflict);

    /// <summary>
    /// The database <paramref name="options"/> name: the SQLite file resolved against <paramref name="contentRoot"/>, or PostgreSQL with
    /// its connection string (password from the connection string, else <c>$MOTE_POSTGRES_PASSWORD</c>, else the secrets folder's
    /// <c>postgres.password</c>, else Npgsql's own <c>$PGPASSWORD</c>/<c>~/.pgpass</c>). Throws for a PostgreSQL setting without a connection string.
    /// </summary>
    public static GalleryDatabase From(GalleryOptions options, string contentRoot, SecretsOptions secrets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(secrets);
        if (options.Provider == GalleryProvider.Sqlite)
        {
            return new GalleryDatabase(ContentRoot.Resolve(contentRoot, options.DatabasePath));
        }
        if (!Enum.IsDefined(options.Provider))
        {
            throw new GalleryException($"Mote:Gallery:Provider must be Sqlite or PostgreSql, not {options.Provider}.");
        }
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new GalleryException("Mote:Gallery:Provider is PostgreSql but Mote:Gallery:ConnectionString is empty. Set it (e.g. the environment variable "
                + "Mote__Gallery__ConnectionString=\"Host=db.example.org;Port=5432;Database=mote;Username=mote\"); see docs/deployment.md.");
        }
        Npgsql.NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new GalleryException($"Mote:Gallery:ConnectionString is not a valid PostgreSQL connection string: {e.Message}");
        }
        if (string.IsNullOrEmpty(builder.Password))
        {
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            var file = System.IO.Path.Combine(secrets.ResolveDirectory(), PasswordFile);
            if (string.IsNullOrEmpty(password) && File.Exists(file))
            {
                password = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            if (!string.IsNullOrEmpty(password))
            {
                builder.Password = password;
            }
        }
        var description = $"database {builder.Database ?? "(default)"} on {builder.Host}:{builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return new GalleryDatabase(builder.ConnectionString, description);
    }

    /// <summary>The SQLite connection string for the file <paramref name="path"/>: pooled, foreign keys on.</summary>
    public static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, ForeignKeys = true }.ToString();

    /// <summary>The PostgreSQL advisory lock (session level) a migrating front end holds, so concurrent starts migrate one at a time.</summary>
    public const long MigrationLock = 0x6D6F7465_6D696772;

    /// <summary>
    /// Creates the database or applies pending EF Core migrations (never <c>EnsureCreated</c>), then erases again anyone the
    /// erasure ledger names who is back in it (a database restored from an older copy; <see cref="ReapplyErasures"/>).
    /// Every front end calls this before it serves or runs anything, so an erased person is never served again.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            if (db.Database.IsNpgsql())
            {
                // Several portals may start at once on one PostgreSQL database: one migrates, the others wait and then find
                // nothing pending (without the lock a second one applied the same ALTER TABLE and stopped with 42701).
                await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
                try
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLock})", ct).ConfigureAwait(false);
                    try
                    {
                        await db.Database.MigrateAsync(ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await db.Database.CloseConnectionAsync().ConfigureAwait(false);
                }
            }
            else
            {
                await db.Database.MigrateAsync(ct).ConfigureAwait(false);
            }
            await scope.ServiceProvider.GetRequiredService<ReapplyErasures>().ExecuteAsync(ct).ConfigureAwait(false);
        }
    }
}
