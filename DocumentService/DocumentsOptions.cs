using System.ComponentModel.DataAnnotations;

namespace DocumentService;

/// <summary>Settings of the document service, bound from the "Documents" section.</summary>
public sealed class DocumentsOptions : IValidatableObject
{
    public const string SectionName = "Documents";

    /// <summary>The largest file accepted, in bytes (20 MB by default).</summary>
    [Range(1, 1L << 31)]
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>
    /// The most a user's stored files and documents may hold together, in bytes (2 GB by default): one account must not
    /// fill the disk or the bucket every other user shares. Uploads at the same moment may pass it by one file each.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxBytesPerUser { get; set; } = 2L * 1024 * 1024 * 1024;

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
    /// Chunk size and overlap in characters: 1200/200 is about 300 tokens with 50 of overlap (see README of the
    /// service for why).
    /// </summary>
    [Range(200, 20_000)]
    public int ChunkSize { get; set; } = 1200;

    [Range(0, 10_000)]
    public int ChunkOverlap { get; set; } = 200;

    /// <summary>
    /// The most text one document may hold once extracted (characters): every chunk of it is embedded while the upload
    /// waits, so a small file that unpacks to megabytes of text (a PDF whose pages repeat one stream) must stop here.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public int MaxTextChars { get; set; } = 1_000_000;

    /// <summary>
    /// The most text a prompt-type document may hold (characters): it goes whole into every question's system message,
    /// so 16,000 (about 4,000 tokens) leaves room for the question and its history even in a small model's 8,192. Longer
    /// text belongs in a rag document, which is searched.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxPromptTextChars { get; set; } = 16_000;

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

    /// <summary>
    /// Weight of vector similarity against the normalised BM25 score (0..1). With sentence embeddings the vectors carry
    /// meaning and BM25 only breaks ties on rare exact terms (codes, names): 0.9 ranked best on the paraphrased set
    /// (top-3 0.94 at 0.8, 1.0 at 0.9 and at 1.0, where top-1 gained one question but exact codes lose their boost).
    /// </summary>
    [Range(0.0, 1.0)]
    public double VectorWeight { get; set; } = 0.9;

    /// <summary>
    /// A question whose best passage scores below this is about nothing in the documents and finds nothing; otherwise
    /// passages down to half of it are returned. On the kept set every paraphrase's best passage scored at least 0.20
    /// and unrelated questions up to 0.18 (one near the domain, "fix a flat bicycle tyre", 0.23).
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinScore { get; set; } = 0.19;

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
