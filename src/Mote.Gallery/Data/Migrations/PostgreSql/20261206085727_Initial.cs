using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Mote.Gallery.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    Scopes = table.Column<int>(type: "integer", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ExpiresUtc = table.Column<long>(type: "bigint", nullable: true),
                    RevokedUtc = table.Column<long>(type: "bigint", nullable: true),
                    LastUsedUtc = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true),
                    SecurityStamp = table.Column<string>(type: "text", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true),
                    PhoneNumber = table.Column<string>(type: "text", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    OccurredUtc = table.Column<long>(type: "bigint", nullable: false),
                    Code = table.Column<int>(type: "integer", nullable: false),
                    ActorKind = table.Column<int>(type: "integer", nullable: false),
                    ActorId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ActorName = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    SubjectId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    PayloadDigest = table.Column<byte[]>(type: "bytea", nullable: true),
                    Hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationRuns",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    FinishedUtc = table.Column<long>(type: "bigint", nullable: false),
                    RecordedUtc = table.Column<long>(type: "bigint", nullable: false),
                    SchemaVersion = table.Column<int>(type: "integer", nullable: false),
                    Dataset = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Backbone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PopulationPack = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Seed = table.Column<int>(type: "integer", nullable: false),
                    Identities = table.Column<int>(type: "integer", nullable: false),
                    GenuinePairs = table.Column<long>(type: "bigint", nullable: false),
                    ImpostorPairs = table.Column<long>(type: "bigint", nullable: false),
                    ModelFnmrAtFmr1e3 = table.Column<double>(type: "double precision", nullable: true),
                    VectorFnmrAtFmr1e3 = table.Column<double>(type: "double precision", nullable: true),
                    ModelEer = table.Column<double>(type: "double precision", nullable: false),
                    VectorEer = table.Column<double>(type: "double precision", nullable: false),
                    ModelGenderFdr = table.Column<double>(type: "double precision", nullable: true),
                    VectorGenderFdr = table.Column<double>(type: "double precision", nullable: true),
                    WallSeconds = table.Column<double>(type: "double precision", nullable: false),
                    Command = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Commit = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ReportFolder = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ReportJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GalleryInstance",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GalleryInstance", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GallerySettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    ReferenceRetention = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    KeepProbeImages = table.Column<bool>(type: "boolean", nullable: false),
                    TargetFmr = table.Column<double>(type: "double precision", nullable: true),
                    RiskLimitMultiple = table.Column<double>(type: "double precision", nullable: true),
                    UpdatedUtc = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedBy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GallerySettings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "People",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    NormalizedName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    NormalizedExternalId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DeclaredGender = table.Column<string>(type: "text", nullable: true),
                    DeclaredEthnicity = table.Column<string>(type: "text", nullable: true),
                    DeclaredAgeBand = table.Column<string>(type: "text", nullable: true),
                    EstimatedGender = table.Column<string>(type: "text", nullable: true),
                    EstimatedEthnicity = table.Column<string>(type: "text", nullable: true),
                    EstimatedAgeBand = table.Column<string>(type: "text", nullable: true),
                    BalanceJson = table.Column<string>(type: "text", nullable: false),
                    TemplateKind = table.Column<string>(type: "text", nullable: false),
                    TemplateBlob = table.Column<byte[]>(type: "bytea", nullable: false),
                    TemplateBytes = table.Column<int>(type: "integer", nullable: false),
                    BackboneId = table.Column<string>(type: "text", nullable: false),
                    BackboneHash = table.Column<string>(type: "text", nullable: false),
                    PopulationPackId = table.Column<string>(type: "text", nullable: false),
                    Threshold = table.Column<float>(type: "real", nullable: false),
                    TargetFmr = table.Column<double>(type: "double precision", nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    EnrolledUtc = table.Column<long>(type: "bigint", nullable: false),
                    RetrainedUtc = table.Column<long>(type: "bigint", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_People", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoleId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    ProviderKey = table.Column<string>(type: "text", nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "text", nullable: true),
                    UserId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    RoleId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AuditPayloads",
                columns: table => new
                {
                    EventId = table.Column<long>(type: "bigint", nullable: false),
                    Detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditPayloads", x => x.EventId);
                    table.ForeignKey(
                        name: "FK_AuditPayloads_AuditEvents_EventId",
                        column: x => x.EventId,
                        principalTable: "AuditEvents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Decisions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PersonId = table.Column<string>(type: "character varying(36)", nullable: true),
                    Score = table.Column<float>(type: "real", nullable: true),
                    Threshold = table.Column<float>(type: "real", nullable: true),
                    Accepted = table.Column<bool>(type: "boolean", nullable: false),
                    CandidatesJson = table.Column<string>(type: "text", nullable: true),
                    DurationMs = table.Column<double>(type: "double precision", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false),
                    ActorId = table.Column<string>(type: "text", nullable: false),
                    ActorName = table.Column<string>(type: "text", nullable: false),
                    ExplanationState = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Decisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Decisions_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PersonImages",
                columns: table => new
                {
                    PersonId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Blob = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonImages", x => new { x.PersonId, x.Kind });
                    table.ForeignKey(
                        name: "FK_PersonImages_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DecisionExplanations",
                columns: table => new
                {
                    DecisionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false),
                    CropBlob = table.Column<byte[]>(type: "bytea", nullable: true),
                    ElapsedMs = table.Column<double>(type: "double precision", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionExplanations", x => x.DecisionId);
                    table.ForeignKey(
                        name: "FK_DecisionExplanations_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DecisionProbeImages",
                columns: table => new
                {
                    DecisionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Blob = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionProbeImages", x => x.DecisionId);
                    table.ForeignKey(
                        name: "FK_DecisionProbeImages_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "AspNetRoles",
                columns: new[] { "Id", "ConcurrencyStamp", "Name", "NormalizedName" },
                values: new object[,]
                {
                    { "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b01", "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b01", "Admin", "ADMIN" },
                    { "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b02", "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b02", "Auditor", "AUDITOR" },
                    { "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b03", "6f1f0c4e-7d2a-4c2e-9a55-0a4f3f1d8b03", "Operator", "OPERATOR" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Prefix",
                table: "ApiKeys",
                column: "Prefix",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Code",
                table: "AuditEvents",
                column: "Code");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_OccurredUtc",
                table: "AuditEvents",
                column: "OccurredUtc");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_SubjectId",
                table: "AuditEvents",
                column: "SubjectId");

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_CreatedUtc",
                table: "Decisions",
                column: "CreatedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_PersonId",
                table: "Decisions",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_RecordedUtc",
                table: "EvaluationRuns",
                column: "RecordedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_People_EnrolledUtc",
                table: "People",
                column: "EnrolledUtc");

            migrationBuilder.CreateIndex(
                name: "IX_People_NormalizedExternalId",
                table: "People",
                column: "NormalizedExternalId",
                unique: true,
                filter: "\"NormalizedExternalId\" <> ''");

            migrationBuilder.CreateIndex(
                name: "IX_People_NormalizedName",
                table: "People",
                column: "NormalizedName");

            migrationBuilder.CreateIndex(
                name: "IX_People_NormalizedName_NormalizedExternalId",
                table: "People",
                columns: new[] { "NormalizedName", "NormalizedExternalId" },
                unique: true);

            // The audit chain is append-only: the database itself refuses to change or remove a row (as SQLite's triggers do).
            // Payloads (personal details) sit in AuditPayloads, which an erasure may delete; the chain keeps their digests.
            migrationBuilder.Sql("""
                CREATE FUNCTION mote_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the audit trail is append-only';
                END;
                $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER \"AuditEvents_NoUpdate\" BEFORE UPDATE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION mote_audit_append_only();");
            migrationBuilder.Sql("CREATE TRIGGER \"AuditEvents_NoDelete\" BEFORE DELETE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION mote_audit_append_only();");
            migrationBuilder.Sql("CREATE TRIGGER \"AuditEvents_NoTruncate\" BEFORE TRUNCATE ON \"AuditEvents\" FOR EACH STATEMENT EXECUTE FUNCTION mote_audit_append_only();");

            // This database's identity: random (gen_random_uuid is a CSPRNG since PostgreSQL 13), 32 hex digits like SQLite's, made once,
            // bound into the audit chain's genesis.
            migrationBuilder.Sql("INSERT INTO \"GalleryInstance\" (\"Id\") VALUES (replace(gen_random_uuid()::text, '-', ''));");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditEvents_NoUpdate\" ON \"AuditEvents\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditEvents_NoDelete\" ON \"AuditEvents\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditEvents_NoTruncate\" ON \"AuditEvents\";");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS mote_audit_append_only();");

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "AuditPayloads");

            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "DecisionExplanations");

            migrationBuilder.DropTable(
                name: "DecisionProbeImages");

            migrationBuilder.DropTable(
                name: "EvaluationRuns");

            migrationBuilder.DropTable(
                name: "GalleryInstance");

            migrationBuilder.DropTable(
                name: "GallerySettings");

            migrationBuilder.DropTable(
                name: "PersonImages");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "AuditEvents");

            migrationBuilder.DropTable(
                name: "Decisions");

            migrationBuilder.DropTable(
                name: "People");
        }
    }
}
