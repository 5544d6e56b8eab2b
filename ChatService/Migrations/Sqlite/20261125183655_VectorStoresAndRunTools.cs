using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VectorStoresAndRunTools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ToolResourcesJson",
                table: "Threads",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "ExpiredAt",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequiredActionJson",
                table: "Runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ToolChoiceJson",
                table: "Runs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ToolsJson",
                table: "Runs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "AnnotationsJson",
                table: "Messages",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ToolResourcesJson",
                table: "Assistants",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "RunSteps",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    RunId = table.Column<string>(type: "TEXT", nullable: false),
                    ThreadId = table.Column<string>(type: "TEXT", nullable: false),
                    AssistantId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    DetailsJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FailedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ExpiredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunSteps", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RunSteps_RunId_Id",
                table: "RunSteps",
                columns: new[] { "RunId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunSteps");

            migrationBuilder.DropColumn(
                name: "ToolResourcesJson",
                table: "Threads");

            migrationBuilder.DropColumn(
                name: "ExpiredAt",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "RequiredActionJson",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ToolChoiceJson",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ToolsJson",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "AnnotationsJson",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "ToolResourcesJson",
                table: "Assistants");
        }
    }
}
