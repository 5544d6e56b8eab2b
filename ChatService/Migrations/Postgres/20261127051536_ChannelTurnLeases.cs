using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatService.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ChannelTurnLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TurnHolder",
                table: "Threads",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TurnUntil",
                table: "Threads",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TurnHolder",
                table: "Threads");

            migrationBuilder.DropColumn(
                name: "TurnUntil",
                table: "Threads");
        }
    }
}
