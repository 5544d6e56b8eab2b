using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ChatService.Services;

/// <summary>
/// A function call's arguments both ways: the JSON text clients, stored steps and items carry, and the dictionary a
/// <see cref="FunctionCallContent"/> holds for the chat client.
/// </summary>
public static class FunctionArguments
{
    public static string Text(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>());

    /// <summary>Text that is not a JSON object travels as one value, so a client's odd arguments still reach the model.</summary>
    public static Dictionary<string, object?> Parse(string? json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, object?>>(string.IsNullOrWhiteSpace(json) ? "{}" : json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, object?> { ["input"] = json };
        }
    }
}
