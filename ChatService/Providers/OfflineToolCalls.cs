using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ServiceDefaults.Data;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Providers;

/// <summary>
/// How the offline responder uses function tools, predictably (each call with an id of its own), so that clients'
/// tool loops run without a model:
/// <list type="bullet">
/// <item>it calls a function when the request requires one (tool_choice "required" calls the first function, a named
/// tool_choice that one), or, with tool_choice "auto", when the last user message names a function;</item>
/// <item>the call's arguments fill the schema's required properties (all of them if none is required): strings with
/// the last user message, numbers with 0, booleans with false;</item>
/// <item>after a function's output it answers "The function NAME returned: OUTPUT" and calls nothing.</item>
/// </list>
/// </summary>
public static class OfflineToolCalls
{
    public static FunctionCallContent? Call(IReadOnlyList<AIChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        if (functions.Count == 0 || options!.ToolMode is NoneChatToolMode || messages.LastOrDefault()?.Role == ChatRole.Tool)
        {
            return null;
        }
        var question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var function = options.ToolMode switch
        {
            RequiredChatToolMode { RequiredFunctionName: { } name } => functions.FirstOrDefault(f => f.Name == name),
            RequiredChatToolMode => functions[0],
            _ => functions.FirstOrDefault(f => question.Contains(f.Name, StringComparison.OrdinalIgnoreCase)),
        };
        if (function is null)
        {
            return null;
        }
        // Unique, as a model's call ids are: clients keep outputs by call id across conversations.
        return new FunctionCallContent(Ids.New("call"), function.Name, Arguments(function.JsonSchema, question));
    }

    /// <summary>The report of the outputs that follow the last call, or null when the conversation does not end in outputs.</summary>
    public static string? Report(IReadOnlyList<AIChatMessage> messages)
    {
        if (messages.LastOrDefault()?.Role != ChatRole.Tool)
        {
            return null;
        }
        var names = messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .GroupBy(c => c.CallId).ToDictionary(g => g.Key, g => g.Last().Name, StringComparer.Ordinal);
        var results = messages.Reverse().TakeWhile(m => m.Role == ChatRole.Tool)
            .SelectMany(m => m.Contents).OfType<FunctionResultContent>().Reverse()
            .Select(r => $"The function {names.GetValueOrDefault(r.CallId, r.CallId)} returned: {r.Result}");
        return string.Join(" ", results);
    }

    private static Dictionary<string, object?> Arguments(JsonElement schema, string question)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object)
        {
            return arguments;
        }
        var required = schema.TryGetProperty("required", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : null;
        foreach (var property in properties.EnumerateObject())
        {
            if (required is { Count: > 0 } && !required.Contains(property.Name))
            {
                continue;
            }
            var type = property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("type", out var t)
                && t.ValueKind == JsonValueKind.String ? t.GetString() : "string";
            arguments[property.Name] = type switch
            {
                "number" or "integer" => 0,
                "boolean" => false,
                "string" => question,
                "array" => new JsonArray(),
                "object" => new JsonObject(),
                _ => null,
            };
        }
        return arguments;
    }
}
