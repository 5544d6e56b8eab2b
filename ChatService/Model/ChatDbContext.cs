using Microsoft.EntityFrameworkCore;

namespace ChatService.Model;

public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options)
{
}
