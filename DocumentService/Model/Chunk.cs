namespace DocumentService.Model;

/// <summary>A passage of a rag document with its embedding (little-endian float32s).</summary>
public sealed class Chunk
{
    public long Id { get; set; }

    public required string DocumentId { get; set; }

    public required string AssistantId { get; set; }

    public int ChunkIndex { get; set; }

    public required string Text { get; set; }

    public required byte[] Embedding { get; set; }

    /// <summary>The model that made <see cref="Embedding"/>: a search with another model re-embeds the chunk first.</summary>
    public required string EmbeddingModel { get; set; }
}
