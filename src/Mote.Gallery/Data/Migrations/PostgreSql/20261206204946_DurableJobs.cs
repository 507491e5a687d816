using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations.PostgreSql
{
    /// <summary>The durable job runtime (issue 15) on PostgreSQL: <c>BackgroundJobs</c>, <c>DecisionExplanationInputs</c> and Quartz.NET's tables.</summary>
    public partial class DurableJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BackgroundJobs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ActorJson = table.Column<string>(type: "text", nullable: false),
                    ActorName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RequestJson = table.Column<string>(type: "text", nullable: false),
                    Payload = table.Column<byte[]>(type: "bytea", nullable: true),
                    Phase = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Percent = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "text", nullable: true),
                    FailureKind = table.Column<int>(type: "integer", nullable: true),
                    ResultId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CancelRequestedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false),
                    StartedUtc = table.Column<long>(type: "bigint", nullable: true),
                    FinishedUtc = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedUtc = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackgroundJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DecisionExplanationInputs",
                columns: table => new
                {
                    DecisionId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Blob = table.Column<byte[]>(type: "bytea", nullable: false),
                    FaceIndex = table.Column<int>(type: "integer", nullable: false),
                    Score = table.Column<float>(type: "real", nullable: false),
                    Threshold = table.Column<float>(type: "real", nullable: false),
                    CreatedUtc = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DecisionExplanationInputs", x => x.DecisionId);
                    table.ForeignKey(
                        name: "FK_DecisionExplanationInputs_Decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "Decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BackgroundJobs_CreatedUtc",
                table: "BackgroundJobs",
                column: "CreatedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_BackgroundJobs_Kind_State",
                table: "BackgroundJobs",
                columns: new[] { "Kind", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_BackgroundJobs_Subject",
                table: "BackgroundJobs",
                column: "Subject");

            // The job runtime's scheduler tables (Quartz.NET's ADO job store), from the script the pinned package embeds for
            // this provider (docs/decisions/0019).
            foreach (var statement in Mote.Gallery.Jobs.QuartzSchema.Create(migrationBuilder.ActiveProvider))
            {
                migrationBuilder.Sql(statement);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in Mote.Gallery.Jobs.QuartzSchema.Drop(migrationBuilder.ActiveProvider))
            {
                migrationBuilder.Sql(statement);
            }

            migrationBuilder.DropTable(
                name: "BackgroundJobs");

            migrationBuilder.DropTable(
                name: "DecisionExplanationInputs");
        }
    }
}
