using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocumentService.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VectorStoresAndRunTools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AttributesJson",
                table: "documents",
                type: "character varying(16384)",
                maxLength: 16384,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "vector_store_file_batches",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    StoreKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vector_store_file_batches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vector_store_files",
                columns: table => new
                {
                    StoreKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    FileId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AttributesJson = table.Column<string>(type: "text", nullable: false),
                    ChunkingJson = table.Column<string>(type: "text", nullable: false),
                    UsageBytes = table.Column<long>(type: "bigint", nullable: false),
                    BatchId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastErrorCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastErrorMessage = table.Column<string>(type: "text", nullable: true),
                    Generation = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vector_store_files", x => new { x.StoreKey, x.FileId });
                });

            migrationBuilder.CreateTable(
                name: "vector_stores",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OwnerId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    CreatedByKeyId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    MetadataJson = table.Column<string>(type: "text", nullable: false),
                    ExpiresAfterDays = table.Column<int>(type: "integer", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastActiveAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vector_stores", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_vector_store_files_BatchId",
                table: "vector_store_files",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_vector_store_files_FileId",
                table: "vector_store_files",
                column: "FileId");

            migrationBuilder.CreateIndex(
                name: "IX_vector_stores_OwnerId_CreatedAt",
                table: "vector_stores",
                columns: new[] { "OwnerId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "vector_store_file_batches");

            migrationBuilder.DropTable(
                name: "vector_store_files");

            migrationBuilder.DropTable(
                name: "vector_stores");

            migrationBuilder.DropColumn(
                name: "AttributesJson",
                table: "documents");
        }
    }
}
