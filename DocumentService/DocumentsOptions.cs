using System.ComponentModel.DataAnnotations;

namespace DocumentService;

/// <summary>Settings of the document service, bound from the "Documents" section.</summary>
public sealed class DocumentsOptions : IValidatableObject
{
    public const string SectionName = "Documents";

    /// <summary>The largest file accepted, in bytes (20 MB by default).</summary>
    [Range(1, 1L << 31)]
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Where blobs go when no S3 bucket is configured; relative paths are under the content root.</summary>
    [Required]
    public string BlobDirectory { get; set; } = Path.Combine(".data", "blobs");

    /// <summary>An S3 bucket for blobs; empty means local disk.</summary>
    public string? S3Bucket { get; set; }

    /// <summary>An S3-compatible endpoint (moto, MinIO); empty means AWS itself.</summary>
    public string? S3ServiceUrl { get; set; }

    public string S3Region { get; set; } = "us-east-1";

    /// <summary>Credentials for S3; empty means the SDK's default chain (environment, profile, instance role).</summary>
    public string? S3AccessKey { get; set; }

    public string? S3SecretKey { get; set; }

    /// <summary>
    /// Chunk size and overlap in characters (no tokenizer package exists here; about 4 characters a token).
    /// 1200/200 is about 300 tokens with 50 of overlap: see README of the service for why.
    /// </summary>
    [Range(200, 20_000)]
    public int ChunkSize { get; set; } = 1200;

    [Range(0, 10_000)]
    public int ChunkOverlap { get; set; } = 200;

    /// <summary>The most a docx may expand to when unzipped, summed over its parts (zip-bomb guard).</summary>
    [Range(1024, 1L << 32)]
    public long MaxDocxExpandedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The highest compression ratio a docx part may have before it counts as a bomb.</summary>
    [Range(2, 10_000)]
    public int MaxDocxCompressionRatio { get; set; } = 200;

    [Required]
    public string PdfToTextPath { get; set; } = "pdftotext";

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PdfToTextTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Dimensions of the local hashed lexical vectors.</summary>
    [Range(16, 4096)]
    public int LocalEmbeddingDimensions { get; set; } = 256;

    /// <summary>Weight of vector similarity against the normalised BM25 score (0..1).</summary>
    [Range(0.0, 1.0)]
    public double VectorWeight { get; set; } = 0.5;

    /// <summary>
    /// Hits scoring below this are dropped: with no shared term, hashed vectors still meet by collision, and such
    /// noise (a few hundredths) must not come back as a passage.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinScore { get; set; } = 0.05;

    [Range(1, 100)]
    public int MaxTopK { get; set; } = 50;


    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ChunkOverlap >= ChunkSize / 2)
        {
            yield return new ValidationResult("ChunkOverlap must be less than half of ChunkSize.", [nameof(ChunkOverlap)]);
        }
    }
}
