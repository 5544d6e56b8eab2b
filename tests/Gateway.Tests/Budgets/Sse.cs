using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Budgets;

/// <summary>An answer read whole: its status, its body, and (for an event stream) its events in order.</summary>
internal sealed record Answer(HttpStatusCode Status, string Body, IReadOnlyList<(string? Name, string Data)> Events, TimeSpan? RetryAfter, string? RateLimitRemaining)
{
    public static async Task<Answer> PostAsync(HttpClient client, string path, string bearer, object body)
    {
        using var request = GatewayHost.Request(HttpMethod.Post, path, bearer, body);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        var events = new List<(string?, string)>();
        string? name = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name, line[6..]));
                name = null;
            }
        }
        var remaining = response.Headers.TryGetValues("RateLimit-Remaining", out var values) ? string.Join(",", values) : null;
        return new Answer(response.StatusCode, text, events, response.Headers.RetryAfter?.Delta, remaining);
    }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Data(int index) => JsonDocument.Parse(Events[index].Data).RootElement;

    public JsonElement Last(string name) => JsonDocument.Parse(Events.Last(e => e.Name == name).Data).RootElement;

    /// <summary>The text of a chat completion stream's deltas, in order.</summary>
    public string DeltaText => string.Concat(Events
        .Where(e => e.Data.StartsWith('{') && e.Data.Contains("\"choices\"", StringComparison.Ordinal))
        .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("choices"))
        .Where(c => c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String)
        .Select(c => c[0].GetProperty("delta").GetProperty("content").GetString()));
}
