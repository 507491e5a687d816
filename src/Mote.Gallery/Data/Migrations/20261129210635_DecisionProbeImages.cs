using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class DecisionProbeImages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DecisionProbeImages",
                columns: table => new
                {
                    DecisionId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    Blob = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedUtc = table.Column<long>(type: "INTEGER", nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DecisionProbeImages");
        }
    }
}
