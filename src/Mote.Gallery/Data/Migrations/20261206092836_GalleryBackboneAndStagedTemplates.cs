using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class GalleryBackboneAndStagedTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BackboneHash",
                table: "GallerySettings",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BackboneId",
                table: "GallerySettings",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StagedTemplates",
                columns: table => new
                {
                    PersonId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    Backbone = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    BackboneId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    BackboneHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TemplateKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TemplateBlob = table.Column<byte[]>(type: "BLOB", nullable: false),
                    TemplateBytes = table.Column<int>(type: "INTEGER", nullable: false),
                    PopulationPackId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Threshold = table.Column<float>(type: "REAL", nullable: false),
                    BalanceJson = table.Column<string>(type: "TEXT", nullable: false),
                    TargetFmr = table.Column<double>(type: "REAL", nullable: false),
                    PersonStamp = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StagedUtc = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StagedTemplates", x => x.PersonId);
                    table.ForeignKey(
                        name: "FK_StagedTemplates_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StagedTemplates");

            migrationBuilder.DropColumn(
                name: "BackboneHash",
                table: "GallerySettings");

            migrationBuilder.DropColumn(
                name: "BackboneId",
                table: "GallerySettings");
        }
    }
}
