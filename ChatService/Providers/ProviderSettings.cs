using System.Data.Common;
using Microsoft.Extensions.Configuration;

namespace ChatService.Providers;

/// <summary>
/// Where the model answers: `ConnectionStrings:openai` = `Endpoint=...;Key=...;Model=...` (Aspire's shape), else
/// OPENAI_API_KEY / OPENAI_BASE_URL (/ OPENAI_MODEL). Null when nothing is configured: the offline responder answers.
/// </summary>
public sealed record ProviderSettings(Uri? Endpoint, string Key, string? Model)
{
    public static ProviderSettings? From(IConfiguration configuration)
    {
        var connection = configuration.GetConnectionString("openai");
        if (!string.IsNullOrWhiteSpace(connection))
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connection };
            var endpoint = parts.TryGetValue("Endpoint", out var e) ? e?.ToString() : null;
            var key = parts.TryGetValue("Key", out var k) ? k?.ToString() : null;
            var model = parts.TryGetValue("Model", out var m) ? m?.ToString() : null;
            if (string.IsNullOrWhiteSpace(endpoint) && string.IsNullOrWhiteSpace(key))
            {
                throw new InvalidOperationException("ConnectionStrings:openai needs an Endpoint or a Key.");
            }
            return new ProviderSettings(ParseEndpoint(endpoint), NonEmptyKey(key), Blank(model));
        }

        var envKey = configuration["OPENAI_API_KEY"];
        var envUrl = configuration["OPENAI_BASE_URL"];
        if (string.IsNullOrWhiteSpace(envKey) && string.IsNullOrWhiteSpace(envUrl))
        {
            return null;
        }
        return new ProviderSettings(ParseEndpoint(envUrl), NonEmptyKey(envKey), Blank(configuration["OPENAI_MODEL"]));
    }

    // "localhost:11434" parses as an absolute URI of scheme "localhost": only http and https reach a model.
    private static Uri? ParseEndpoint(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri
        : throw new InvalidOperationException($"The OpenAI endpoint '{value}' is not an http(s) URL such as http://localhost:11434/v1.");

    // Local servers (Ollama, vLLM, LM Studio) take no key, but the SDK wants one.
    private static string NonEmptyKey(string? key) => string.IsNullOrWhiteSpace(key) ? "unused" : key;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
