using Microsoft.EntityFrameworkCore;

namespace IntentCacheService.Model;

public sealed class IntentDbContext(DbContextOptions<IntentDbContext> options) : DbContext(options)
{
}
