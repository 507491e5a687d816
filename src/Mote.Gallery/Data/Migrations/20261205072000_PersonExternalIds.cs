using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class PersonExternalIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_People_NormalizedName",
                table: "People");

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "People",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NormalizedExternalId",
                table: "People",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_People_NormalizedExternalId",
                table: "People");

            migrationBuilder.DropIndex(
                name: "IX_People_NormalizedName",
                table: "People");

            migrationBuilder.DropIndex(
                name: "IX_People_NormalizedName_NormalizedExternalId",
                table: "People");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "People");

            migrationBuilder.DropColumn(
                name: "NormalizedExternalId",
                table: "People");

            migrationBuilder.CreateIndex(
                name: "IX_People_NormalizedName",
                table: "People",
                column: "NormalizedName",
                unique: true);
        }
    }
}
