using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Postgres
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
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "ExpiredAt",
                table: "Runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "Runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequiredActionJson",
                table: "Runs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ToolChoiceJson",
                table: "Runs",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ToolsJson",
                table: "Runs",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "AnnotationsJson",
                table: "Messages",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ToolResourcesJson",
                table: "Assistants",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "RunSteps",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    RunId = table.Column<string>(type: "text", nullable: false),
                    ThreadId = table.Column<string>(type: "text", nullable: false),
                    AssistantId = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    DetailsJson = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<long>(type: "bigint", nullable: true),
                    CancelledAt = table.Column<long>(type: "bigint", nullable: true),
                    FailedAt = table.Column<long>(type: "bigint", nullable: true),
                    ExpiredAt = table.Column<long>(type: "bigint", nullable: true)
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
