using System.Text.Json;
using ChatService.Model;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ChatService.Services;

/// <summary>A file_search tool of a response request: the stores to search and OpenAI's search options.</summary>
public sealed record ResponseFileSearch(IReadOnlyList<string> VectorStoreIds, int MaxNumResults, JsonElement? Filters, double? ScoreThreshold, string? Ranker)
{
    public FileSearchQuery Query(string text) => new(text, MaxNumResults, Filters, ScoreThreshold, Ranker);
}

/// <summary>
/// The tools and tool_choice of a response request, as the chat client takes them and as the response echoes them.
/// A file_search tool searches whenever it is offered and tool_choice leaves room for it (<see cref="Searches"/>).
/// </summary>
public sealed record ResponseTools(IList<AITool> Functions, ChatToolMode Mode, string ToolsJson, string ToolChoiceJson, ResponseFileSearch? FileSearch)
{
    public bool Searches => FileSearch is not null && RunTools.LeavesRoomForSearch(Mode);

    public const int MaxTools = 128;
    private static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static ResponseTools Read(JsonElement tools, JsonElement toolChoice)
    {
        var functions = new List<AITool>();
        var echoed = new JsonArray();
        ResponseFileSearch? fileSearch = null;
        if (tools.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() > MaxTools)
            {
                throw Access.BadRequest($"tools must be an array of at most {MaxTools} tools.", "invalid_tools", "tools");
            }
            foreach (var tool in tools.EnumerateArray())
            {
                var type = Json.StringOf(tool, "type");
                if (type == "file_search")
                {
                    fileSearch = fileSearch is null
                        ? ReadFileSearch(tool, echoed)
                        : throw Access.BadRequest("tools may hold file_search once.", "invalid_tools", "tools");
                    continue;
                }
                if (type != "function")
                {
                    throw Access.BadRequest($"Tools of type '{type}' are not supported here (function and file_search are).", "unsupported_tool", "tools");
                }
                var name = Json.StringOf(tool, "name");
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    throw Access.BadRequest("A function tool needs a name of letters, digits, '_' or '-' (at most 64).", "invalid_tools", "tools");
                }
                if (tool.TryGetProperty("description", out var d) && d.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
                    || tool.TryGetProperty("parameters", out var given) && given.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    throw Access.BadRequest("A function tool's description must be a string and its parameters a JSON schema object.", "invalid_tools", "tools");
                }
                var description = d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                var parameters = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : EmptyParameters;
                var strict = tool.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : true;
                functions.Add(AIFunctionFactory.CreateDeclaration(name, description ?? "", parameters));
                echoed.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["name"] = name,
                    ["description"] = description,
                    ["parameters"] = JsonNode.Parse(parameters.GetRawText()),
                    ["strict"] = strict,
                });
            }
        }

        var (mode, choice) = ReadChoice(toolChoice, functions, fileSearch is not null);
        return new ResponseTools(functions, mode, echoed.ToJsonString(), choice, fileSearch);
    }

    private static ResponseFileSearch ReadFileSearch(JsonElement tool, JsonArray echoed)
    {
        var stores = tool.TryGetProperty("vector_store_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() : null).ToList()
            : [];
        if (stores.Count is 0 or > 16 || stores.Any(string.IsNullOrWhiteSpace))
        {
            throw Access.BadRequest("file_search needs vector_store_ids: 1 to 16 vector store ids.", "invalid_tools", "tools");
        }
        var max = tool.TryGetProperty("max_num_results", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 10;
        if (max is < 1 or > 50)
        {
            throw Access.BadRequest("file_search max_num_results must be between 1 and 50.", "invalid_tools", "tools");
        }
        JsonElement? filters = tool.TryGetProperty("filters", out var f) && f.ValueKind == JsonValueKind.Object ? f.Clone() : null;
        double? threshold = null;
        string? ranker = null;
        if (tool.TryGetProperty("ranking_options", out var ranking) && ranking.ValueKind == JsonValueKind.Object)
        {
            threshold = ranking.TryGetProperty("score_threshold", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
            ranker = Json.StringOf(ranking, "ranker");
        }
        echoed.Add(new JsonObject
        {
            ["type"] = "file_search",
            ["vector_store_ids"] = new JsonArray([.. stores.Select(id => (JsonNode?)id)]),
            ["max_num_results"] = max,
            ["filters"] = filters is { } given ? JsonNode.Parse(given.GetRawText()) : null,
            ["ranking_options"] = new JsonObject { ["ranker"] = ranker ?? "auto", ["score_threshold"] = threshold ?? 0 },
        });
        return new ResponseFileSearch(stores!, max, filters, threshold, ranker);
    }

    private static (ChatToolMode Mode, string Json) ReadChoice(JsonElement choice, List<AITool> functions, bool fileSearch)
    {
        switch (choice.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return (ChatToolMode.Auto, "\"auto\"");
            case JsonValueKind.String:
                return choice.GetString() switch
                {
                    "auto" => (ChatToolMode.Auto, "\"auto\""),
                    "none" => (ChatToolMode.None, "\"none\""),
                    "required" when functions.Count > 0 => (ChatToolMode.RequireAny, "\"required\""),
                    "required" when fileSearch => (ChatToolMode.Auto, "\"required\""),
                    "required" => throw Access.BadRequest("tool_choice 'required' needs at least one tool.", "invalid_tool_choice", "tool_choice"),
                    _ => throw Access.BadRequest("tool_choice must be 'auto', 'none', 'required' or a function.", "invalid_tool_choice", "tool_choice"),
                };
            case JsonValueKind.Object when fileSearch && choice.TryGetProperty("type", out var searchType) && searchType.ValueKind == JsonValueKind.String
                && searchType.GetString() == "file_search":
                return (ChatToolMode.Auto, """{"type":"file_search"}""");
            case JsonValueKind.Object when choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "function":
                var name = Json.StringOf(choice, "name");
                if (name is null || !functions.Any(f => f.Name == name))
                {
                    throw Access.BadRequest("tool_choice names a function that is not among the tools.", "invalid_tool_choice", "tool_choice");
                }
                return (ChatToolMode.RequireSpecific(name), new JsonObject { ["type"] = "function", ["name"] = name }.ToJsonString());
            default:
                throw Access.BadRequest("tool_choice must be 'auto', 'none', 'required' or a function.", "invalid_tool_choice", "tool_choice");
        }
    }
}
