using Microsoft.EntityFrameworkCore;

namespace DocumentService.Model;

public sealed class DocumentsDbContext(DbContextOptions<DocumentsDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Chunk> Chunks => Set<Chunk>();

    public DbSet<KnowledgeState> KnowledgeStates => Set<KnowledgeState>();

    public DbSet<VectorStore> VectorStores => Set<VectorStore>();

    public DbSet<VectorStoreFile> VectorStoreFiles => Set<VectorStoreFile>();

    public DbSet<VectorStoreFileBatch> VectorStoreFileBatches => Set<VectorStoreFileBatch>();

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
            e.Property(d => d.AttributesJson).HasMaxLength(16384);
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
        modelBuilder.Entity<VectorStore>(e =>
        {
            e.ToTable("vector_stores");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).HasMaxLength(64);
            e.Property(v => v.OwnerId).HasMaxLength(128);
            e.Property(v => v.CreatedByKeyId).HasMaxLength(128);
            e.Property(v => v.Name).HasMaxLength(256);
            e.Property(v => v.Description).HasMaxLength(512);
            e.HasIndex(v => new { v.OwnerId, v.CreatedAt });
        });
        modelBuilder.Entity<VectorStoreFile>(e =>
        {
            e.ToTable("vector_store_files");
            e.HasKey(f => new { f.StoreKey, f.FileId });
            e.Property(f => f.StoreKey).HasMaxLength(128);
            e.Property(f => f.FileId).HasMaxLength(64);
            e.Property(f => f.Status).HasMaxLength(32);
            e.Property(f => f.BatchId).HasMaxLength(64);
            e.Property(f => f.LastErrorCode).HasMaxLength(64);
            e.HasIndex(f => f.FileId);
            e.HasIndex(f => f.BatchId);
        });
        modelBuilder.Entity<VectorStoreFileBatch>(e =>
        {
            e.ToTable("vector_store_file_batches");
            e.HasKey(b => b.Id);
            e.Property(b => b.Id).HasMaxLength(64);
            e.Property(b => b.StoreKey).HasMaxLength(128);
            e.Property(b => b.Status).HasMaxLength(32);
        });
    }
}
