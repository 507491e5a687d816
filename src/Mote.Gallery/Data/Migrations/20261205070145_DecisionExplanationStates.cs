using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mote.Gallery.Data.Migrations
{
    /// <inheritdoc />
    public partial class DecisionExplanationStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ExplanationState",
                table: "Decisions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Decisions made before the state was stored: ready where an explanation is stored, no match for a rejected
            // identification; the rest stay "computing" and read as lost (the queue of this process does not hold them).
            migrationBuilder.Sql("UPDATE Decisions SET ExplanationState = 1 WHERE Id IN (SELECT DecisionId FROM DecisionExplanations);");
            migrationBuilder.Sql("UPDATE Decisions SET ExplanationState = 2 WHERE Kind = 'identify' AND PersonId IS NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ExplanationState",
                table: "Decisions");
        }
    }
}
