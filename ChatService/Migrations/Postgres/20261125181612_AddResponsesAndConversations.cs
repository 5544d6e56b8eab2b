using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddResponsesAndConversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConversationItems",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    ConversationId = table.Column<string>(type: "text", nullable: false),
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConversationItems", x => new { x.ConversationId, x.Id });
                });

            migrationBuilder.CreateTable(
                name: "Conversations",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    OwnerId = table.Column<string>(type: "text", nullable: false),
                    AssistantId = table.Column<string>(type: "text", nullable: true),
                    CreatedByKeyId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    MetadataJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Conversations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ResponseEvents",
                columns: table => new
                {
                    ResponseId = table.Column<string>(type: "text", nullable: false),
                    SequenceNumber = table.Column<int>(type: "integer", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResponseEvents", x => new { x.ResponseId, x.SequenceNumber });
                });

            migrationBuilder.CreateTable(
                name: "ResponseItems",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    ResponseId = table.Column<string>(type: "text", nullable: false),
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    Output = table.Column<bool>(type: "boolean", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResponseItems", x => new { x.ResponseId, x.Id });
                });

            migrationBuilder.CreateTable(
                name: "Responses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    OwnerId = table.Column<string>(type: "text", nullable: false),
                    AssistantId = table.Column<string>(type: "text", nullable: true),
                    CreatedByKeyId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<long>(type: "bigint", nullable: true),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Model = table.Column<string>(type: "text", nullable: false),
                    Instructions = table.Column<string>(type: "text", nullable: true),
                    PreviousResponseId = table.Column<string>(type: "text", nullable: true),
                    ConversationId = table.Column<string>(type: "text", nullable: true),
                    MaxOutputTokens = table.Column<int>(type: "integer", nullable: true),
                    Temperature = table.Column<double>(type: "double precision", nullable: true),
                    TopP = table.Column<double>(type: "double precision", nullable: true),
                    MetadataJson = table.Column<string>(type: "text", nullable: false),
                    ToolsJson = table.Column<string>(type: "text", nullable: false),
                    ToolChoiceJson = table.Column<string>(type: "text", nullable: false),
                    IncompleteReason = table.Column<string>(type: "text", nullable: true),
                    ErrorCode = table.Column<string>(type: "text", nullable: true),
                    ErrorMessage = table.Column<string>(type: "text", nullable: true),
                    InputTokens = table.Column<int>(type: "integer", nullable: true),
                    OutputTokens = table.Column<int>(type: "integer", nullable: true),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Responses", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConversationItems_ConversationId_Seq",
                table: "ConversationItems",
                columns: new[] { "ConversationId", "Seq" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OwnerId_Id",
                table: "Conversations",
                columns: new[] { "OwnerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ResponseItems_ResponseId_Seq",
                table: "ResponseItems",
                columns: new[] { "ResponseId", "Seq" });

            migrationBuilder.CreateIndex(
                name: "IX_Responses_OwnerId_Id",
                table: "Responses",
                columns: new[] { "OwnerId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConversationItems");

            migrationBuilder.DropTable(
                name: "Conversations");

            migrationBuilder.DropTable(
                name: "ResponseEvents");

            migrationBuilder.DropTable(
                name: "ResponseItems");

            migrationBuilder.DropTable(
                name: "Responses");
        }
    }
}
