using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocumentService.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 16384,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "vector_store_file_batches",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StoreKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vector_store_file_batches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vector_store_files",
                columns: table => new
                {
                    StoreKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    FileId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AttributesJson = table.Column<string>(type: "TEXT", nullable: false),
                    ChunkingJson = table.Column<string>(type: "TEXT", nullable: false),
                    UsageBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    BatchId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LastErrorCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LastErrorMessage = table.Column<string>(type: "TEXT", nullable: true),
                    Generation = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vector_store_files", x => new { x.StoreKey, x.FileId });
                });

            migrationBuilder.CreateTable(
                name: "vector_stores",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedByKeyId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    MetadataJson = table.Column<string>(type: "TEXT", nullable: false),
                    ExpiresAfterDays = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastActiveAt = table.Column<long>(type: "INTEGER", nullable: false)
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
