using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ChatService.Model;

/// <remarks>Also holds the Data Protection key ring that seals compaction items (<see cref="Services.ResponseCompaction"/>).</remarks>
public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<AssistantEntity> Assistants => Set<AssistantEntity>();
    public DbSet<ThreadEntity> Threads => Set<ThreadEntity>();
    public DbSet<MessageEntity> Messages => Set<MessageEntity>();
    public DbSet<RunEntity> Runs => Set<RunEntity>();
    public DbSet<RunStepEntity> RunSteps => Set<RunStepEntity>();
    public DbSet<ChatEntity> Chats => Set<ChatEntity>();
    public DbSet<ChatEntryEntity> ChatEntries => Set<ChatEntryEntity>();
    public DbSet<ResponseEntity> Responses => Set<ResponseEntity>();
    public DbSet<ResponseItemEntity> ResponseItems => Set<ResponseItemEntity>();
    public DbSet<ResponseEventEntity> ResponseEvents => Set<ResponseEventEntity>();
    public DbSet<ConversationEntity> Conversations => Set<ConversationEntity>();
    public DbSet<ConversationItemEntity> ConversationItems => Set<ConversationItemEntity>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Ids sort in creation order (Ids.New), so every list pages by id alone.
        modelBuilder.Entity<AssistantEntity>(e =>
        {
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.OwnerId, a.Id });
        });
        modelBuilder.Entity<ThreadEntity>(e =>
        {
            e.HasKey(t => t.Id);
            e.HasIndex(t => new { t.OwnerId, t.Id });
        });
        modelBuilder.Entity<MessageEntity>(e =>
        {
            e.HasKey(m => m.Id);
            e.HasIndex(m => new { m.ThreadId, m.Id });
        });
        modelBuilder.Entity<RunEntity>(e =>
        {
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.ThreadId, r.Id });
            // The executor saves a run's end only over the status it read: a replica that failed the run meanwhile wins.
            e.Property(r => r.Status).IsConcurrencyToken();
            // Every replica looks for runs whose lease ran out: few rows are ever queued, in progress or being cancelled.
            e.HasIndex(r => new { r.Status, r.LeaseExpiresAt });
        });
        modelBuilder.Entity<RunStepEntity>(e =>
        {
            e.HasKey(s => s.Id);
            e.HasIndex(s => new { s.RunId, s.Id });
        });
        modelBuilder.Entity<ChatEntity>(e =>
        {
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.AssistantId, c.ChannelService, c.ChannelId }).IsUnique();
            e.HasIndex(c => new { c.OwnerId, c.Id });
        });
        modelBuilder.Entity<ChatEntryEntity>(e =>
        {
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.ChatId, c.Id });
        });
        modelBuilder.Entity<ResponseEntity>(e =>
        {
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.OwnerId, r.Id });
            // Every replica looks for background responses whose lease ran out: few rows are ever queued or in progress.
            e.HasIndex(r => new { r.Status, r.LeaseExpiresAt });
        });
        modelBuilder.Entity<ResponseItemEntity>(e =>
        {
            e.HasKey(i => new { i.ResponseId, i.Id });
            e.HasIndex(i => new { i.ResponseId, i.Seq });
        });
        modelBuilder.Entity<ResponseEventEntity>(e => e.HasKey(v => new { v.ResponseId, v.SequenceNumber }));
        modelBuilder.Entity<ConversationEntity>(e =>
        {
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.OwnerId, c.Id });
        });
        modelBuilder.Entity<ConversationItemEntity>(e =>
        {
            e.HasKey(i => new { i.ConversationId, i.Id });
            e.HasIndex(i => new { i.ConversationId, i.Seq });
        });
    }
}
