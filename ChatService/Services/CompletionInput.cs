using System.Text.Json;
using ChatService.Model;
using Microsoft.Extensions.AI;
using ServiceDefaults.Errors;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// What a chat completion request gives the model: its messages (system and developer ones become instructions;
/// an assistant's `tool_calls` and the `tool` messages answering them become function calls and results) and its
/// function tools, checked as OpenAI checks them.
/// </summary>
public static class CompletionInput
{
    private const int MaxMessages = 1000;
    private const int MaxMessageChars = 256_000;

    /// <summary>
    /// The request's function tools and tool_choice, validated as a run's are (<see cref="RunTools"/>); null when it
    /// offers none, so a tool_choice that needs a tool (required, or a name) is refused then.
    /// </summary>
    public static RunTools? Tools(JsonElement? tools, JsonElement? toolChoice)
    {
        var stored = tools is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given
            ? RunTools.Validate(given, 0, functionsOnly: true)
            : "[]";
        var read = RunTools.Read(stored, RunTools.ValidateChoice(toolChoice, stored));
        return read.Functions.Count > 0 ? read : null;
    }

    /// <summary>
    /// A participant's name goes to the model, so it is checked as OpenAI checks it (no blanks, none of &lt;|\/&gt;, at
    /// most 64 characters) and refused here, naming the client's own message, rather than by the model.
    /// </summary>
    private static void CheckName(string? name, int index)
    {
        if (name is not null && (name.Length is 0 or > 64 || name.Any(c => char.IsWhiteSpace(c) || c is '<' or '|' or '\\' or '/' or '>')))
        {
            throw Access.BadRequest($"messages[{index}].name must be 1 to 64 characters without blanks or any of <|\\/>.",
                "invalid_value", $"messages[{index}].name");
        }
    }

    public static (string? System, List<AIChatMessage> Turns) Messages(IReadOnlyList<ChatMessageRequest>? messages)
    {
        if (messages is null || messages.Count == 0)
        {
            throw Access.BadRequest("messages must be a non-empty array.", "missing_messages", "messages");
        }
        if (messages.Any(m => m is null))
        {
            throw Access.BadRequest("messages may not hold null entries.", "invalid_message", "messages");
        }
        if (messages.Count > MaxMessages)
        {
            throw Access.BadRequest($"messages may hold at most {MaxMessages} entries.", "too_many_messages", "messages");
        }
        var system = new List<string>();
        var turns = new List<AIChatMessage>();
        // The calls of the assistant message the following tool messages answer, and those not answered yet.
        HashSet<string>? calls = null;
        var unanswered = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var text = Text(message);
            CheckName(message.Name, i);
            // Only an assistant message that calls tools may come without content, as OpenAI has it.
            if (message.Content.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                && !(message.Role == "assistant" && message.ToolCalls is { ValueKind: JsonValueKind.Array } calling && calling.GetArrayLength() > 0))
            {
                throw Access.BadRequest($"A message with role '{message.Role}' needs content.", "missing_content", $"messages[{i}].content");
            }
            if (message.Role != "tool")
            {
                CheckAnswered(unanswered, i);
                calls = null;
            }
            if (message.Role != "assistant" && message.ToolCalls is { ValueKind: not JsonValueKind.Null } given
                && !(given.ValueKind == JsonValueKind.Array && given.GetArrayLength() == 0))
            {
                throw Access.BadRequest("Only assistant messages carry tool_calls.", "invalid_message", $"messages[{i}].tool_calls");
            }
            switch (message.Role)
            {
                case "system" or "developer":
                    system.Add(text);
                    break;
                case "user":
                    // A participant's name goes to the model as sent (AuthorName is OpenAI's `name`).
                    turns.Add(new AIChatMessage(ChatRole.User, text) { AuthorName = message.Name });
                    break;
                case "assistant":
                    var made = Calls(message.ToolCalls, i);
                    turns.Add(made.Count == 0
                        ? new AIChatMessage(ChatRole.Assistant, text) { AuthorName = message.Name }
                        : new AIChatMessage(ChatRole.Assistant, [.. text.Length > 0 ? [new TextContent(text)] : Array.Empty<AIContent>(), .. made]) { AuthorName = message.Name });
                    calls = made.Count > 0 ? made.Select(c => c.CallId).ToHashSet(StringComparer.Ordinal) : null;
                    unanswered = made.Select(c => c.CallId).ToList();
                    break;
                case "tool":
                    if (message.ToolCallId is not { Length: > 0 } callId)
                    {
                        throw Access.BadRequest("A tool message needs the tool_call_id of the call it answers.", "missing_tool_call_id", $"messages[{i}].tool_call_id");
                    }
                    if (calls is null || !calls.Contains(callId))
                    {
                        throw Access.BadRequest(
                            $"A message with role 'tool' must answer a tool call of the assistant message before it; '{callId}' is not one.",
                            "invalid_tool_call_id", $"messages[{i}].tool_call_id");
                    }
                    unanswered.Remove(callId);
                    turns.Add(new AIChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, text)]));
                    break;
                case "function":
                    throw RequestErrors.Unsupported($"messages[{i}].role",
                        "messages with role 'function' belong to the deprecated `functions`; send `tools` and answer calls with role 'tool'.");
                default:
                    throw Access.BadRequest($"Unknown message role '{message.Role}'.", "invalid_role", "messages");
            }
        }
        CheckAnswered(unanswered, messages.Count - 1);
        if (!turns.Any(t => t.Role == ChatRole.User))
        {
            throw Access.BadRequest("messages must include a user message.", "missing_user_message", "messages");
        }
        return (system.Count > 0 ? string.Join("\n\n", system) : null, turns);
    }

    /// <summary>The calls of an answer as Chat Completions shows them; null when there are none, so the field is left out.</summary>
    public static IReadOnlyList<ToolCallObject>? Show(IReadOnlyList<FunctionCallContent> calls) =>
        calls.Count == 0 ? null : [.. calls.Select(c => new ToolCallObject(c.CallId, new FunctionCallObject(c.Name, FunctionArguments.Text(c))))];

    private static string Text(ChatMessageRequest message)
    {
        var text = Json.TextOf(message.Content, "messages");
        if (text is null && message.Content.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw Access.BadRequest("content must be a string or an array of text parts.", "invalid_content", "messages");
        }
        text ??= "";
        return text.Length <= MaxMessageChars
            ? text
            : throw Access.BadRequest($"A message may be at most {MaxMessageChars} characters.", "content_too_long", "messages");
    }

    /// <summary>OpenAI refuses a conversation in which a call was never answered, and so would any model behind it.</summary>
    private static void CheckAnswered(List<string> unanswered, int index)
    {
        if (unanswered.Count > 0)
        {
            throw Access.BadRequest(
                $"An assistant message with tool_calls must be followed by tool messages answering each call; no message answered {string.Join(", ", unanswered)}.",
                "missing_tool_output", $"messages[{index}]");
        }
    }

    private static List<FunctionCallContent> Calls(JsonElement? toolCalls, int index)
    {
        if (toolCalls is not { ValueKind: not JsonValueKind.Null } given)
        {
            return [];
        }
        var param = $"messages[{index}].tool_calls";
        if (given.ValueKind != JsonValueKind.Array || given.GetArrayLength() > RunTools.MaxTools)
        {
            throw Access.BadRequest($"tool_calls must be an array of at most {RunTools.MaxTools} calls.", "invalid_tool_calls", param);
        }
        var calls = new List<FunctionCallContent>();
        foreach (var call in given.EnumerateArray())
        {
            var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            if (Json.StringOf(call, "id") is not { Length: > 0 and <= 256 } id || Json.StringOf(call, "type") is not (null or "function")
                || Json.StringOf(function, "name") is not { Length: > 0 } name
                || (function.TryGetProperty("arguments", out var a) && a.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)))
            {
                throw Access.BadRequest("A tool call needs an id, type 'function' and function.name, with function.arguments as a string.", "invalid_tool_calls", param);
            }
            if (calls.Any(c => c.CallId == id))
            {
                throw Access.BadRequest($"Tool call id '{id}' appears twice.", "invalid_tool_calls", param);
            }
            calls.Add(new FunctionCallContent(id, name, FunctionArguments.Parse(Json.StringOf(function, "arguments"))));
        }
        return calls;
    }
}
