using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.Extraction;
using DocumentService.Services.Retrieval;
using DocumentService.Services.Storage;
using ServiceDefaults.Access;
using Embeddings;

namespace DocumentService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformCache("cache");
        builder.AddDatabase<DocumentsDbContext>("docsdb");

        builder.Services.AddOptions<DocumentsOptions>()
            .Bind(builder.Configuration.GetSection(DocumentsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<PdfTextReader>();
        builder.Services.AddSingleton<TextExtractor>();
        builder.Services.AddSingleton<KnowledgeSearch>();
        builder.Services.AddScoped<DocumentStore>();
        builder.AddAssistantAccess();

        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{DocumentsOptions.SectionName}:{nameof(DocumentsOptions.S3Bucket)}"]))
        {
            builder.Services.AddSingleton<IBlobStore, FileBlobStore>();
        }
        else
        {
            builder.Services.AddSingleton<IBlobStore, S3BlobStore>();
        }

        builder.AddEmbeddingGenerator();
    }
}
