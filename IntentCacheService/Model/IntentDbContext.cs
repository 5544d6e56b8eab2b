using Microsoft.EntityFrameworkCore;

namespace IntentCacheService.Model;

public sealed class IntentDbContext(DbContextOptions<IntentDbContext> options) : DbContext(options)
{
    public DbSet<IntentSet> IntentSets => Set<IntentSet>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var set = modelBuilder.Entity<IntentSet>();
        set.HasKey(s => s.AssistantId);
        set.Property(s => s.AssistantId).HasMaxLength(IntentRules.MaxIdLength);
        set.Property(s => s.OwnerId).HasMaxLength(200);
        set.HasIndex(s => s.OwnerId);
    }
}
