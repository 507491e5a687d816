using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class DecisionExplanations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DecisionExplanations",
                columns: table => new
                {
                    DecisionId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    CropBlob = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ElapsedMs = table.Column<double>(type: "REAL", nullable: false),
                    CreatedUtc = table.Column<long>(type: "INTEGER", nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DecisionExplanations");
        }
    }
}
