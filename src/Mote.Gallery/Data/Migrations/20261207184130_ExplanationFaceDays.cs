using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExplanationFaceDays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ExplanationFaceDays",
                table: "GallerySettings",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ExplanationFaceDays",
                table: "GallerySettings");
        }
    }
}
