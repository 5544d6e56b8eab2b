using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OrphanedRunSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Deleting a thread left its run steps (file_search passages among them); it takes them now, and this takes
            // what earlier versions left.
            migrationBuilder.Sql("""DELETE FROM "RunSteps" WHERE "ThreadId" NOT IN (SELECT "Id" FROM "Threads");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
