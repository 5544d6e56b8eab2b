using System.Text.Json;

namespace VoiceService.Tests;

internal sealed record SseEvent(string Name, JsonElement Data)
{
    /// <summary>Reads "event:/data:" blocks from a stream until it ends.</summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                using var json = JsonDocument.Parse(line[6..]);
                yield return new SseEvent(name, json.RootElement.Clone());
                name = null;
            }
        }
    }

    public static async Task<List<SseEvent>> ReadAllAsync(HttpResponseMessage response)
    {
        var events = new List<SseEvent>();
        await foreach (var item in ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            events.Add(item);
        }
        return events;
    }
}
