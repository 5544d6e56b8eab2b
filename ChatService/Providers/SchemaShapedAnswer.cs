using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Providers;

/// <summary>
/// The offline answer as JSON of the schema a client asked for (json_schema), so the SDK helpers that parse and validate
/// it (responses.parse, chat.completions.parse with zod or Pydantic) accept it: the answer goes into the schema's
/// "answer" property, else its first string, and every other property gets the plainest value its schema allows
/// (const, first enum value, minimum, false, the fewest items). With no schema, or an object schema that names no
/// properties, the answer is {"answer": text}.
/// </summary>
internal static class SchemaShapedAnswer
{
    private const string AnswerKey = "answer";
    private const int MaxDepth = 32;
    private const int MaxItems = 16;

    public static string Json(string answer, JsonElement? schema)
    {
        var left = new Left(answer);
        var shaped = schema is { ValueKind: JsonValueKind.Object } root ? Value(root, root, left, 0) : null;
        return (shaped ?? new JsonObject { [AnswerKey] = answer }).ToJsonString();
    }

    private static JsonNode? Value(JsonElement node, JsonElement root, Left left, int depth)
    {
        if (depth > MaxDepth || node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (node.TryGetProperty("$ref", out var reference) && Resolve(root, reference.GetString()) is { } target)
        {
            return Value(target, root, left, depth + 1);
        }
        if (node.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }
        if (node.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            return JsonNode.Parse(values[0].GetRawText());
        }
        foreach (var choice in (string[])["anyOf", "oneOf", "allOf"])
        {
            if (node.TryGetProperty(choice, out var options) && options.ValueKind == JsonValueKind.Array)
            {
                var option = options.EnumerateArray().FirstOrDefault(o => TypeOf(o) != "null");
                return option.ValueKind == JsonValueKind.Object ? Value(option, root, left, depth + 1) : null;
            }
        }
        return TypeOf(node) switch
        {
            "string" => left.Take() ?? "",
            "integer" or "number" => node.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number
                ? JsonNode.Parse(min.GetRawText()) : 0,
            "boolean" => false,
            "null" => null,
            "array" => Items(node, root, left, depth),
            _ => Object(node, root, left, depth),
        };
    }

    private static JsonObject Object(JsonElement node, JsonElement root, Left left, int depth)
    {
        var shaped = new JsonObject();
        if (!node.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.EnumerateObject().Any())
        {
            shaped[AnswerKey] = left.Take() ?? "";
            return shaped;
        }
        if (properties.TryGetProperty(AnswerKey, out var answer) && TypeOf(answer) == "string")
        {
            shaped[AnswerKey] = left.Take();
        }
        foreach (var property in properties.EnumerateObject().Where(p => !shaped.ContainsKey(p.Name)))
        {
            shaped[property.Name] = Value(property.Value, root, left, depth + 1);
        }
        return shaped;
    }

    private static JsonArray Items(JsonElement node, JsonElement root, Left left, int depth)
    {
        var count = node.TryGetProperty("minItems", out var min) && min.TryGetInt32(out var n) ? Math.Clamp(n, 0, MaxItems) : 0;
        var items = new JsonArray();
        for (var i = 0; i < count && node.TryGetProperty("items", out var item); i++)
        {
            items.Add(Value(item, root, left, depth + 1));
        }
        return items;
    }

    /// <summary>A schema's type: its `type`, the first that is not "null" when it lists several, "object" when it has properties.</summary>
    private static string? TypeOf(JsonElement node) =>
        node.ValueKind != JsonValueKind.Object ? null
        : !node.TryGetProperty("type", out var type) ? (node.TryGetProperty("properties", out _) ? "object" : null)
        : type.ValueKind == JsonValueKind.String ? type.GetString()
        : type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null"
            : null;

    /// <summary>A local reference such as "#/$defs/Step"; anything else stays unresolved.</summary>
    private static JsonElement? Resolve(JsonElement root, string? reference)
    {
        if (reference is null || !reference.StartsWith('#'))
        {
            return null;
        }
        var at = root;
        foreach (var part in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(name, out at))
            {
                return null;
            }
        }
        return at;
    }

    /// <summary>The answer text, given to the first string that asks for it and to no other.</summary>
    private sealed class Left(string answer)
    {
        private string? _answer = answer;

        public string? Take()
        {
            var taken = _answer;
            _answer = null;
            return taken;
        }
    }
}
