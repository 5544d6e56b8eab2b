using System.Text.Json;
using ChatService.Model;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ChatService.Services;

/// <summary>file_search settings of a run: how many results and which score threshold (OpenAI's tool options).</summary>
public sealed record FileSearchSettings(int MaxNumResults, double ScoreThreshold, string Ranker);

/// <summary>
/// The Assistants tools of an assistant or run (`file_search`, `function`; `code_interpreter` is accepted and never
/// used: nothing here runs code) and the run's tool_choice, validated when set and read back when the run executes.
/// </summary>
public sealed record RunTools(IList<AITool> Functions, ChatToolMode Mode, FileSearchSettings? FileSearch)
{
    public const int MaxTools = 128;

    /// <summary>
    /// Validates a tools array and returns it as stored (OpenAI's shape, normalised). Chat completions take the same
    /// function tools but no built-in ones (<paramref name="functionsOnly"/>).
    /// </summary>
    public static string Validate(JsonElement tools, int defaultResults, bool functionsOnly = false)
    {
        if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() > MaxTools)
        {
            throw Access.BadRequest($"tools must be an array of at most {MaxTools} tools.", "invalid_tools", "tools");
        }
        var stored = new JsonArray();
        foreach (var tool in tools.EnumerateArray())
        {
            var type = Json.StringOf(tool, "type");
            if (functionsOnly && type != "function")
            {
                throw Access.BadRequest($"Tools of type '{type}' are not supported here (function is).", "invalid_tools", "tools");
            }
            switch (type)
            {
                case "code_interpreter":
                    stored.Add(new JsonObject { ["type"] = type });
                    break;
                case "file_search":
                    stored.Add(FileSearchTool(tool, defaultResults));
                    break;
                case "function":
                    stored.Add(FunctionTool(tool));
                    break;
                default:
                    throw Access.BadRequest($"Tools of type '{type}' are not supported (file_search, function and code_interpreter are).", "invalid_tools", "tools");
            }
        }
        if (stored.Count(t => t!["type"]!.GetValue<string>() == "file_search") > 1)
        {
            throw Access.BadRequest("tools may hold file_search once.", "invalid_tools", "tools");
        }
        return stored.ToJsonString();
    }

    /// <summary>Validates tool_choice against the tools (a run's, or a chat completion's) and returns it as stored.</summary>
    public static string ValidateChoice(JsonElement? choice, string toolsJson)
    {
        var tools = Read(toolsJson, "\"auto\"");
        switch (choice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return "\"auto\"";
            case { ValueKind: JsonValueKind.String } c when c.GetString() is "auto" or "none" or "required":
                if (c.GetString() == "required" && tools.Functions.Count == 0 && tools.FileSearch is null)
                {
                    throw Access.BadRequest("tool_choice 'required' needs at least one tool.", "invalid_tool_choice", "tool_choice");
                }
                return c.GetRawText();
            case { ValueKind: JsonValueKind.Object } c when Json.StringOf(c, "type") == "file_search" && tools.FileSearch is not null:
                return """{"type":"file_search"}""";
            case { ValueKind: JsonValueKind.Object } c when Json.StringOf(c, "type") == "function"
                && c.TryGetProperty("function", out var f) && Json.StringOf(f, "name") is { } name && tools.Functions.Any(t => t.Name == name):
                return new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } }.ToJsonString();
            case { ValueKind: JsonValueKind.Object } c when Json.StringOf(c, "type") == "function":
                throw Access.BadRequest("tool_choice names a function that is not among the tools.", "invalid_tool_choice", "tool_choice");
            default:
                throw Access.BadRequest("tool_choice must be 'none', 'auto', 'required' or one of the tools.", "invalid_tool_choice", "tool_choice");
        }
    }

    public static RunTools Read(string toolsJson, string toolChoiceJson, int defaultResults = 5)
    {
        using var tools = JsonDocument.Parse(toolsJson);
        using var choice = JsonDocument.Parse(toolChoiceJson);
        var functions = new List<AITool>();
        FileSearchSettings? fileSearch = null;
        foreach (var tool in tools.RootElement.EnumerateArray())
        {
            if (Json.StringOf(tool, "type") == "function" && tool.TryGetProperty("function", out var f) && Json.StringOf(f, "name") is not null)
            {
                var declared = AIFunctionFactory.CreateDeclaration(f.GetProperty("name").GetString()!, Json.StringOf(f, "description") ?? "",
                    f.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : EmptyParameters());
                functions.Add(f.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? new StrictFunctionDeclaration(declared, s.GetBoolean()) : declared);
            }
            else if (Json.StringOf(tool, "type") == "file_search")
            {
                var options = FileSearchTool(tool, defaultResults)["file_search"]!;
                fileSearch = new FileSearchSettings(options["max_num_results"]!.GetValue<int>(),
                    options["ranking_options"]!["score_threshold"]!.GetValue<double>(), options["ranking_options"]!["ranker"]!.GetValue<string>());
            }
        }
        var root = choice.RootElement;
        ChatToolMode mode = root.ValueKind == JsonValueKind.String ? root.GetString() switch
        {
            "none" => ChatToolMode.None,
            "required" when functions.Count > 0 => ChatToolMode.RequireAny,
            _ => ChatToolMode.Auto,
        }
        : Json.StringOf(root, "type") == "function" ? ChatToolMode.RequireSpecific(root.GetProperty("function").GetProperty("name").GetString()!)
        : ChatToolMode.Auto;
        return new RunTools(functions, mode, LeavesRoomForSearch(mode) ? fileSearch : null);
    }

    /// <summary>
    /// Whether an offered file_search runs under this tool_choice: "none" and a forced function leave the model no room
    /// for a search, and a forced file_search is what an offered one does anyway.
    /// </summary>
    public static bool LeavesRoomForSearch(ChatToolMode mode) =>
        mode is not NoneChatToolMode && mode is not RequiredChatToolMode { RequiredFunctionName: not null };

    private static JsonObject FileSearchTool(JsonElement tool, int defaultResults)
    {
        var options = tool.TryGetProperty("file_search", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        var results = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("max_num_results", out var m) && m.ValueKind != JsonValueKind.Null
            ? (m.TryGetInt32(out var n) && n is >= 1 and <= 50 ? n : throw Access.BadRequest("file_search.max_num_results must be between 1 and 50.", "invalid_tools", "tools"))
            : defaultResults;
        var threshold = 0.0;
        var ranker = "default_2024_08_21";
        if (options.ValueKind == JsonValueKind.Object && options.TryGetProperty("ranking_options", out var r) && r.ValueKind == JsonValueKind.Object)
        {
            if (r.TryGetProperty("score_threshold", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                threshold = t.ValueKind == JsonValueKind.Number && t.GetDouble() is >= 0 and <= 1 ? t.GetDouble()
                    : throw Access.BadRequest("file_search.ranking_options.score_threshold must be between 0 and 1.", "invalid_tools", "tools");
            }
            ranker = Json.StringOf(r, "ranker") is { } given && given != "auto" ? given : ranker;
        }
        return new JsonObject
        {
            ["type"] = "file_search",
            ["file_search"] = new JsonObject
            {
                ["max_num_results"] = results,
                ["ranking_options"] = new JsonObject { ["ranker"] = ranker, ["score_threshold"] = threshold },
            },
        };
    }

    private static JsonObject FunctionTool(JsonElement tool)
    {
        var function = tool.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        var name = function.ValueKind == JsonValueKind.Object ? Json.StringOf(function, "name") : null;
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw Access.BadRequest("A function tool needs function.name of letters, digits, '_' or '-' (at most 64).", "invalid_tools", "tools");
        }
        var parameters = function.TryGetProperty("parameters", out var p) ? p : default;
        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object))
        {
            throw Access.BadRequest("function.parameters must be a JSON schema object.", "invalid_tools", "tools");
        }
        if (function.TryGetProperty("description", out var d) && d.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            throw Access.BadRequest("function.description must be a string.", "invalid_tools", "tools");
        }
        var stored = new JsonObject { ["name"] = name, ["description"] = Json.StringOf(function, "description") };
        stored["parameters"] = parameters.ValueKind == JsonValueKind.Object ? JsonNode.Parse(parameters.GetRawText()) : JsonNode.Parse(EmptyParameters().GetRawText());
        if (function.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            stored["strict"] = s.GetBoolean();
        }
        return new JsonObject { ["type"] = "function", ["function"] = stored };
    }

    private static JsonElement EmptyParameters() => JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

}

/// <summary>
/// A function declaration that carries its `strict` flag where Microsoft.Extensions.AI's OpenAI client reads it
/// (the tool's AdditionalProperties); AIFunctionFactory's declarations take none, and the library's own wrapper is internal.
/// </summary>
internal sealed class StrictFunctionDeclaration(AIFunctionDeclaration declared, bool strict) : AIFunctionDeclaration
{
    public override string Name => declared.Name;
    public override string Description => declared.Description;
    public override JsonElement JsonSchema => declared.JsonSchema;
    public override JsonElement? ReturnJsonSchema => declared.ReturnJsonSchema;
    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { ["strict"] = strict };
}
