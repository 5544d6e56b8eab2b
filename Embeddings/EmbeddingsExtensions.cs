using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Embeddings;

namespace Embeddings;

public static class EmbeddingsExtensions
{
    public const string HttpClientName = "embeddings";

    /// <summary>
    /// Registers the process's one <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>: an OpenAI-compatible
    /// endpoint when ConnectionStrings:embeddings (or EmbeddingModel= in ConnectionStrings:openai) names one, else the
    /// local MiniLM model. Either way repeated texts come from an in-process cache instead of the model.
    /// </summary>
    public static IHostApplicationBuilder AddEmbeddingGenerator(this IHostApplicationBuilder builder)
    {
        var connection = EmbeddingsConnection.From(builder.Configuration);
        if (connection is not null)
        {
            builder.Services.AddHttpClient(HttpClientName);
        }
        // Entries are charged by their size in bytes: 32 MB holds some twenty thousand 384-dimensional vectors.
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions { SizeLimit = 32L * 1024 * 1024 }));
        builder.Services
            .AddEmbeddingGenerator(sp => connection is null ? new LocalEmbeddingGenerator() : CreateRemote(connection, sp))
            .UseDistributedCache(cache);
        return builder;
    }

    /// <summary>What a stored vector was made by: vectors of two different names are never compared.</summary>
    public static string ModelName(this IEmbeddingGenerator<string, Embedding<float>> generator) =>
        generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "unknown";

    private static IEmbeddingGenerator<string, Embedding<float>> CreateRemote(EmbeddingsConnection connection, IServiceProvider services)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var options = new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) };
        if (connection.Endpoint is { } endpoint)
        {
            options.Endpoint = endpoint;
        }
        return new EmbeddingClient(connection.Model, new ApiKeyCredential(connection.Key ?? "unused"), options).AsIEmbeddingGenerator();
    }
}
