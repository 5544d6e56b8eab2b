using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.Extensions.AI;
using ServiceDefaults.Data;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// Items as OpenAI's Responses and Conversations APIs write them (message, function_call, function_call_output, compaction):
/// read from a request into their stored form, with ids, and turned into the chat messages a model reads.
/// </summary>
public static class ResponseItems
{
    public const int MaxItems = 1000;
    public const int MaxTextChars = 256_000;

    /// <summary>`input` of POST /v1/responses: a string (one user message) or an array of items.</summary>
    public static List<JsonObject> ReadInput(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return [Message("user", Text(input.GetString(), "input"))];
        }
        if (input.ValueKind != JsonValueKind.Array)
        {
            throw Access.BadRequest("input must be a string or an array of input items.", "invalid_input", "input");
        }
        return ReadItems(input, "input", MaxItems);
    }

    /// <summary>An array of items (input, or a conversation's items), each validated and given an id.</summary>
    public static List<JsonObject> ReadItems(JsonElement items, string field, int max)
    {
        if (items.ValueKind != JsonValueKind.Array)
        {
            throw Access.BadRequest($"{field} must be an array of items.", "invalid_items", field);
        }
        if (items.GetArrayLength() > max)
        {
            throw Access.BadRequest($"{field} may hold at most {max} items.", "too_many_items", field);
        }
        return [.. items.EnumerateArray().Select(item => ReadItem(item, field))];
    }

    private static JsonObject ReadItem(JsonElement item, string field)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Access.BadRequest($"Each item of {field} must be an object.", "invalid_item");
        }
        var type = Json.StringOf(item, "type") ?? "message";
        switch (type)
        {
            case "message":
                var role = Json.StringOf(item, "role");
                if (role is not ("user" or "assistant" or "system" or "developer"))
                {
                    throw Access.BadRequest("A message item's role must be user, assistant, system or developer.", "invalid_role", field);
                }
                item.TryGetProperty("content", out var content);
                var text = content.ValueKind == JsonValueKind.String ? content.GetString() : PartsText(content);
                return Message(role, Text(text, $"{field} message content"));
            case "function_call":
                return FunctionCall(Ids.New("fc"), Required(item, "call_id"), Required(item, "name"),
                    Text(Json.StringOf(item, "arguments") ?? "{}", "arguments"));
            case "function_call_output":
                item.TryGetProperty("output", out var output);
                var result = output.ValueKind == JsonValueKind.String ? output.GetString() : PartsText(output);
                return new JsonObject
                {
                    ["id"] = Ids.New("fco"),
                    ["type"] = "function_call_output",
                    ["call_id"] = Required(item, "call_id"),
                    ["output"] = Text(result, "output", allowEmpty: true),
                    ["status"] = "completed",
                };
            case "file_search_call":
                // A client passing an earlier output back as input: kept as a record, never shown to the model.
                var queries = item.TryGetProperty("queries", out var q) && q.ValueKind == JsonValueKind.Array
                    ? q.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Take(16).ToList()
                    : [];
                return FileSearchCall(Ids.New("fs"), "completed", queries, null);
            case "compaction":
                // Opened (and so checked) by ResponseCompaction where the caller is known, before anything is stored.
                return Json.StringOf(item, "encrypted_content") is { Length: > 0 and <= MaxTextChars } sealedContent
                    ? ResponseCompaction.Item(sealedContent)
                    : throw Access.BadRequest("A compaction item needs its encrypted_content, as POST /v1/responses/compact returned it.",
                        "invalid_value", field);
            default:
                throw Access.BadRequest($"Items of type '{type}' are not supported here (message, function_call, function_call_output, file_search_call and compaction are).",
                    "unsupported_item_type", field);
        }
    }

    public static JsonObject Message(string role, string text, string? id = null, string status = "completed", JsonArray? annotations = null) => new()
    {
        ["id"] = id ?? Ids.New("msg"),
        ["type"] = "message",
        ["role"] = role,
        ["status"] = status,
        ["content"] = new JsonArray(role == "assistant" ? OutputText(text, annotations) : new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };

    public static JsonObject OutputText(string text, JsonArray? annotations = null) => new()
    {
        ["type"] = "output_text",
        ["text"] = text,
        ["annotations"] = annotations?.DeepClone() ?? new JsonArray(),
        ["logprobs"] = new JsonArray(),
    };

    /// <summary>A file_search_call output item; null results when there are none to keep (an item given as input).</summary>
    public static JsonObject FileSearchCall(string id, string status, IReadOnlyList<string> queries, IReadOnlyList<FileSearchResult>? results) => new()
    {
        ["id"] = id,
        ["type"] = "file_search_call",
        ["status"] = status,
        ["queries"] = new JsonArray([.. queries.Select(q => (JsonNode?)q)]),
        ["results"] = results is null ? null : new JsonArray([.. results.Select(r => (JsonNode?)new JsonObject
        {
            ["file_id"] = r.FileId,
            ["filename"] = r.Filename,
            ["score"] = r.Score,
            ["text"] = r.Text,
            ["attributes"] = JsonNode.Parse(r.Attributes.GetRawText()),
        })]),
    };

    /// <summary>
    /// An item as a request sees it: a file_search_call's results are kept with it and shown only to a request whose
    /// include asks for `file_search_call.results`, as OpenAI shows them.
    /// </summary>
    public static JsonObject Shown(JsonObject item, bool searchResults)
    {
        if (searchResults || (string?)item["type"] != "file_search_call" || item["results"] is null)
        {
            return item;
        }
        var shown = item.DeepClone().AsObject();
        shown["results"] = null;
        return shown;
    }

    /// <summary>The answer's citation markers as OpenAI's Responses annotations (the index is where the marker starts).</summary>
    public static JsonArray Citations(string text, IReadOnlyList<FileSearchResult>? results) =>
        results is null ? [] : new JsonArray([.. FileCitations.Cited(text, results).Select(c => (JsonNode?)new JsonObject
        {
            ["type"] = "file_citation",
            ["file_id"] = c.Result.FileId,
            ["filename"] = c.Result.Filename,
            ["index"] = c.Marker.Index,
        })]);

    public static JsonObject FunctionCall(string id, string callId, string name, string arguments, string status = "completed") => new()
    {
        ["id"] = id,
        ["type"] = "function_call",
        ["call_id"] = callId,
        ["name"] = name,
        ["arguments"] = arguments,
        ["status"] = status,
    };

    /// <summary>
    /// The chat a model reads from items: system and developer messages become instructions, the rest turns. Calls
    /// made together go into one assistant message, as chat completions require before their outputs.
    /// </summary>
    public static (string? Instructions, List<AIChatMessage> Turns) ToChat(IEnumerable<JsonObject> items)
    {
        var system = new List<string>();
        var turns = new List<AIChatMessage>();
        foreach (var item in items)
        {
            switch ((string?)item["type"])
            {
                case "message":
                    var role = (string?)item["role"];
                    var text = string.Join("\n", item["content"]!.AsArray().Select(p => (string?)p?["text"]).Where(t => t is not null));
                    if (role is "system" or "developer")
                    {
                        system.Add(text);
                    }
                    else
                    {
                        turns.Add(new AIChatMessage(role == "assistant" ? ChatRole.Assistant : ChatRole.User, text));
                    }
                    break;
                case "function_call":
                    var call = new FunctionCallContent((string)item["call_id"]!, (string)item["name"]!, FunctionArguments.Parse((string?)item["arguments"]));
                    if (turns.Count > 0 && turns[^1].Role == ChatRole.Assistant && turns[^1].Contents.All(c => c is FunctionCallContent))
                    {
                        turns[^1].Contents.Add(call);
                    }
                    else
                    {
                        turns.Add(new AIChatMessage(ChatRole.Assistant, [call]));
                    }
                    break;
                case "function_call_output":
                    turns.Add(new AIChatMessage(ChatRole.Tool, [new FunctionResultContent((string)item["call_id"]!, (string?)item["output"] ?? "")]));
                    break;
            }
        }
        return (system.Count > 0 ? string.Join("\n\n", system) : null, turns);
    }

    private static string? PartsText(JsonElement parts)
    {
        if (parts.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var texts = new List<string>();
        foreach (var part in parts.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object ? Json.StringOf(part, "type") : null;
            if (type is not ("input_text" or "output_text" or "text") || Json.StringOf(part, "text") is not { } text)
            {
                throw Access.BadRequest($"Content parts of type '{type}' are not supported (input_text and output_text are).", "unsupported_content");
            }
            texts.Add(text);
        }
        return string.Join("\n", texts);
    }

    private static string Text(string? text, string what, bool allowEmpty = false)
    {
        if (text is null || (!allowEmpty && text.Length == 0))
        {
            throw Access.BadRequest($"{what} must be a non-empty string or an array of text parts.", "invalid_content", what);
        }
        return text.Length <= MaxTextChars ? text : throw Access.BadRequest($"{what} may be at most {MaxTextChars} characters.", "content_too_long", what);
    }

    private static string Required(JsonElement item, string name) =>
        Json.StringOf(item, name) is { Length: > 0 and <= 256 } value
            ? value
            : throw Access.BadRequest($"A {Json.StringOf(item, "type")} item needs {name} (a string of at most 256 characters).", "invalid_item");
}
