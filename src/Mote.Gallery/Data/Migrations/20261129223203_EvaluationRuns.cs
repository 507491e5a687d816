using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class EvaluationRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EvaluationRuns",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    FinishedUtc = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedUtc = table.Column<long>(type: "INTEGER", nullable: false),
                    SchemaVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Backbone = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PopulationPack = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    Identities = table.Column<int>(type: "INTEGER", nullable: false),
                    GenuinePairs = table.Column<long>(type: "INTEGER", nullable: false),
                    ImpostorPairs = table.Column<long>(type: "INTEGER", nullable: false),
                    ModelFnmrAtFmr1e3 = table.Column<double>(type: "REAL", nullable: true),
                    VectorFnmrAtFmr1e3 = table.Column<double>(type: "REAL", nullable: true),
                    ModelEer = table.Column<double>(type: "REAL", nullable: false),
                    VectorEer = table.Column<double>(type: "REAL", nullable: false),
                    ModelGenderFdr = table.Column<double>(type: "REAL", nullable: true),
                    VectorGenderFdr = table.Column<double>(type: "REAL", nullable: true),
                    WallSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Command = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ReportFolder = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ReportJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_RecordedUtc",
                table: "EvaluationRuns",
                column: "RecordedUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvaluationRuns");
        }
    }
}
