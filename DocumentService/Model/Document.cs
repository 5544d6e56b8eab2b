namespace DocumentService.Model;

/// <summary>
/// A stored file: an assistant's knowledge document (`doc_`, type rag or prompt) or a file uploaded through the
/// OpenAI-shaped /v1/files API (`file_`, with a purpose and no assistant). The blob holds the original bytes; the
/// row holds what is needed to serve them and, for documents, the extracted text.
/// </summary>
public sealed class Document
{
    public required string Id { get; set; }

    public required string OwnerId { get; set; }

    /// <summary>The assistant a knowledge document belongs to; null for /v1/files uploads.</summary>
    public string? AssistantId { get; set; }

    /// <summary>The API key that uploaded a /v1/files file, if one did: other keys of the user do not see it.</summary>
    public string? CreatedByKeyId { get; set; }

    /// <summary>rag or prompt for documents; the OpenAI purpose (assistants, user_data...) for files.</summary>
    public required string Kind { get; set; }

    public required string Filename { get; set; }

    public required string ContentType { get; set; }

    public long Bytes { get; set; }

    /// <summary>Starts at 1 and grows with each replacement.</summary>
    public int Version { get; set; } = 1;

    public required string BlobKey { get; set; }

    /// <summary>The extracted text (documents only); prompt documents are handed to the chat service whole.</summary>
    public string? Text { get; set; }

    public int ChunkCount { get; set; }

    /// <summary>Attributes of a rag document as a file of its assistant's vector store (a JSON object).</summary>
    public string? AttributesJson { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }
}

public static class DocumentKinds
{
    public const string Rag = "rag";
    public const string Prompt = "prompt";

    public static bool IsDocumentType(string? value) => value is Rag or Prompt;
}
