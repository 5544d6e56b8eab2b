using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ChatService.Services;

/// <summary>The tools and tool_choice of a response request, as the chat client takes them and as the response echoes them.</summary>
public sealed record ResponseTools(IList<AITool> Functions, ChatToolMode Mode, string ToolsJson, string ToolChoiceJson)
{
    public const int MaxTools = 128;
    private static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static ResponseTools Read(JsonElement tools, JsonElement toolChoice)
    {
        var functions = new List<AITool>();
        var echoed = new JsonArray();
        if (tools.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() > MaxTools)
            {
                throw Access.BadRequest($"tools must be an array of at most {MaxTools} tools.", "invalid_tools");
            }
            foreach (var tool in tools.EnumerateArray())
            {
                var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type != "function")
                {
                    throw Access.BadRequest($"Tools of type '{type}' are not supported here (function tools are).", "unsupported_tool");
                }
                var name = tool.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    throw Access.BadRequest("A function tool needs a name of letters, digits, '_' or '-' (at most 64).", "invalid_tools");
                }
                var description = tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
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

        var (mode, choice) = ReadChoice(toolChoice, functions);
        return new ResponseTools(functions, mode, echoed.ToJsonString(), choice);
    }

    private static (ChatToolMode Mode, string Json) ReadChoice(JsonElement choice, List<AITool> functions)
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
                    "required" => throw Access.BadRequest("tool_choice 'required' needs at least one tool.", "invalid_tool_choice"),
                    _ => throw Access.BadRequest("tool_choice must be 'auto', 'none', 'required' or a function.", "invalid_tool_choice"),
                };
            case JsonValueKind.Object when choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "function":
                var name = choice.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name is null || !functions.Any(f => f.Name == name))
                {
                    throw Access.BadRequest("tool_choice names a function that is not among the tools.", "invalid_tool_choice");
                }
                return (ChatToolMode.RequireSpecific(name), new JsonObject { ["type"] = "function", ["name"] = name }.ToJsonString());
            default:
                throw Access.BadRequest("tool_choice must be 'auto', 'none', 'required' or a function.", "invalid_tool_choice");
        }
    }
}
