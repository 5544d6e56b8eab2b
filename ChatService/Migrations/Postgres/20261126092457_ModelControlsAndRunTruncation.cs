using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ModelControlsAndRunTruncation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ParallelToolCalls",
                table: "Runs",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasoningEffort",
                table: "Runs",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "TruncationLastMessages",
                table: "Runs",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ParallelToolCalls",
                table: "Responses",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasoningEffort",
                table: "Responses",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Verbosity",
                table: "Responses",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasoningEffort",
                table: "Assistants",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ParallelToolCalls",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ReasoningEffort",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "TruncationLastMessages",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ParallelToolCalls",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "ReasoningEffort",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "Verbosity",
                table: "Responses");

            migrationBuilder.DropColumn(
                name: "ReasoningEffort",
                table: "Assistants");
        }
    }
}
