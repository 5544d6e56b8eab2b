using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Hostile;

/// <summary>One operation of a service's OpenAPI document: a method on a path template.</summary>
public sealed partial record Operation(string Service, string Method, string Path, bool TakesJson, bool TakesQuery)
{
    /// <summary>Routes that read a multipart form themselves, so their documents do not describe the body.</summary>
    private static readonly string[] Multipart =
        ["POST /v1/files", "POST /api/documents", "PUT /api/documents/{id}", "POST /v1/audio/transcriptions", "POST /api/voice/respond"];

    public IReadOnlyList<string> Parameters => [.. PathParameter().Matches(Path).Select(m => m.Groups[1].Value)];

    public bool TakesMultipart => Multipart.Contains($"{Method} {Path}", StringComparer.Ordinal);

    public bool HasBody => Method is "POST" or "PUT" or "PATCH";

    public string Fill(Func<string, string> value) => PathParameter().Replace(Path, m => value(m.Groups[1].Value));

    public override string ToString() => $"{Method} {Path}";

    /// <summary>Every operation of the gateway and of every service behind it, from their own OpenAPI documents.</summary>
    public static async Task<IReadOnlyList<Operation>> ReadAllAsync(HttpClient anonymous)
    {
        var documents = new List<(string Service, string Path)> { ("gateway", "/openapi/v1.json") };
        documents.AddRange(new[] { "chat-service", "document-service", "intent-cache-service", "voice-service" }
            .Select(s => (s, $"/docs/{s}/openapi.json")));
        var operations = new List<Operation>();
        foreach (var (service, path) in documents)
        {
            var document = await anonymous.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));
            foreach (var item in document.GetProperty("paths").EnumerateObject())
            {
                foreach (var method in item.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete"))
                {
                    var takesJson = method.Value.TryGetProperty("requestBody", out var body)
                        && body.GetProperty("content").EnumerateObject().Any(c => c.Name.Contains("json", StringComparison.Ordinal));
                    var takesQuery = method.Value.TryGetProperty("parameters", out var parameters)
                        && parameters.EnumerateArray().Any(p => p.GetProperty("in").GetString() == "query");
                    operations.Add(new Operation(service, method.Name.ToUpperInvariant(), item.Name, takesJson, takesQuery));
                }
            }
        }
        return operations;
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex PathParameter();
}
