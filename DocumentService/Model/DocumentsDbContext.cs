using Microsoft.EntityFrameworkCore;

namespace DocumentService.Model;

public sealed class DocumentsDbContext(DbContextOptions<DocumentsDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Chunk> Chunks => Set<Chunk>();

    public DbSet<KnowledgeState> KnowledgeStates => Set<KnowledgeState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Document>(e =>
        {
            e.ToTable("documents");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).HasMaxLength(64);
            e.Property(d => d.OwnerId).HasMaxLength(128);
            e.Property(d => d.AssistantId).HasMaxLength(128);
            e.Property(d => d.Kind).HasMaxLength(32);
            e.Property(d => d.Filename).HasMaxLength(255);
            e.Property(d => d.ContentType).HasMaxLength(255);
            e.Property(d => d.BlobKey).HasMaxLength(255);
            e.HasIndex(d => new { d.AssistantId, d.CreatedAt });
            e.HasIndex(d => new { d.OwnerId, d.CreatedAt });
        });
        modelBuilder.Entity<Chunk>(e =>
        {
            e.ToTable("chunks");
            e.HasKey(c => c.Id);
            e.Property(c => c.DocumentId).HasMaxLength(64);
            e.Property(c => c.AssistantId).HasMaxLength(128);
            e.Property(c => c.EmbeddingModel).HasMaxLength(128);
            e.HasIndex(c => c.AssistantId);
            e.HasIndex(c => c.DocumentId);
        });
        modelBuilder.Entity<KnowledgeState>(e =>
        {
            e.ToTable("knowledge_states");
            e.HasKey(k => k.AssistantId);
            e.Property(k => k.AssistantId).HasMaxLength(128);
        });
    }
}
