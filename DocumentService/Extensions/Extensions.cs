using DocumentService.Model;
using DocumentService.Services;
using DocumentService.Services.Extraction;
using DocumentService.Services.Retrieval;
using DocumentService.Services.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ServiceDefaults.Access;

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

        var embeddings = EmbeddingsConnection.From(builder.Configuration);
        if (embeddings is null)
        {
            builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
                new HashedEmbeddingGenerator(sp.GetRequiredService<IOptions<DocumentsOptions>>().Value.LocalEmbeddingDimensions));
        }
        else
        {
            builder.Services.AddHttpClient("embeddings");
            builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
                OpenAIEmbeddingGenerator.Create(embeddings, sp.GetRequiredService<IHttpClientFactory>().CreateClient("embeddings")));
        }
    }
}
