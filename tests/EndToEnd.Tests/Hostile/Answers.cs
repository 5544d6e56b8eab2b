using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// What every answer to a hostile request must be: no 5xx, an error body in its family's shape (OpenAI's on /v1,
/// RFC 7807 elsewhere), and nothing of the inside: no stack trace, exception type, source path, internal address or
/// caller token. Collects every breach, so one run reports them all.
/// </summary>
public sealed partial class Answers
{
    private readonly List<string> _breaches = [];
    private readonly Dictionary<int, int> _statuses = [];

    public int Sent { get; private set; }

    public IReadOnlyList<string> Breaches => _breaches;

    public int FiveHundreds => _statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

    public string Summary => $"{Sent} requests; statuses " +
        string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")) + $"; {_breaches.Count} breaches";

    public async Task<(HttpStatusCode Status, string Body)> CheckAsync(string label, HttpRequestMessage request, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Check(label, request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body, Headers(response));
        return (response.StatusCode, body);
    }

    /// <summary>For answers read off a raw socket.</summary>
    public void Check(string label, string method, string path, int status, string? mediaType, string body, string headers)
    {
        Sent++;
        _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        var what = $"{label}: {method} {Shorten(path)} → {status}";
        if (status >= 500)
        {
            _breaches.Add($"{what} (a server error) {Shorten(body)}");
        }
        if (Leak().Match(body) is { Success: true } leak)
        {
            _breaches.Add($"{what} leaks '{leak.Value}' in its body: {Shorten(body)}");
        }
        if (Leak().Match(headers) is { Success: true } headerLeak)
        {
            _breaches.Add($"{what} leaks '{headerLeak.Value}' in its headers");
        }
        if (status >= 400 && method != "HEAD" && ShapeProblem(path, status, mediaType, body, headers) is { } problem)
        {
            _breaches.Add($"{what}: {problem}: {Shorten(body)}");
        }
    }

    private static string? ShapeProblem(string path, int status, string? mediaType, string body, string headers)
    {
        if (body.Length == 0)
        {
            // Kestrel's HTTP parser refuses some requests (a NUL in the path, an oversized header block) before any of
            // the application runs; those answers lack the X-Process-Time header every application answer carries.
            return status is 400 or 414 or 431 && !headers.Contains("X-Process-Time", StringComparison.OrdinalIgnoreCase)
                ? null
                : "no error body";
        }
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return "an error body that is not JSON";
        }
        if (path.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase) || path.Equals("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("error", out var error)
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                    ? null
                    : "not OpenAI's error body";
        }
        if (mediaType != "application/problem+json")
        {
            return $"ProblemDetails expected, content type was {mediaType}";
        }
        return root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == status
            && root.TryGetProperty("title", out _)
                ? null
                : "not a ProblemDetails with the response's status";
    }

    private static string Headers(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Stack frames, exception type names, source paths, loopback addresses and the internal identity header.</summary>
    [GeneratedRegex(@"(\s+at [A-Z][\w.]+\(|\w+Exception\b|\.cs:line \d+|/work/|/root/|/home/|/tmp/|127\.0\.0\.1|\[::1\]|localhost:\d+|X-Caller-Identity|System\.[A-Z]\w+\.|Microsoft\.[A-Z]\w+\.)",
        RegexOptions.IgnoreCase)]
    private static partial Regex Leak();
}
