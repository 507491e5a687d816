using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations.PostgreSql
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
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BackboneId",
                table: "GallerySettings",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StagedTemplates",
                columns: table => new
                {
                    PersonId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Backbone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    BackboneId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    BackboneHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TemplateKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TemplateBlob = table.Column<byte[]>(type: "bytea", nullable: false),
                    TemplateBytes = table.Column<int>(type: "integer", nullable: false),
                    PopulationPackId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Threshold = table.Column<float>(type: "real", nullable: false),
                    BalanceJson = table.Column<string>(type: "text", nullable: false),
                    TargetFmr = table.Column<double>(type: "double precision", nullable: false),
                    PersonStamp = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StagedUtc = table.Column<long>(type: "bigint", nullable: false)
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
