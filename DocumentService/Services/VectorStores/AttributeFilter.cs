using System.Text.Json;
using ServiceDefaults.Errors;

namespace DocumentService.Services.VectorStores;

/// <summary>
/// OpenAI's file-search filters over a file's attributes: a comparison (`eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`,
/// `nin` of `key` against `value`) or a compound (`and`/`or` of `filters`). Parsed once into a predicate; a malformed
/// filter is a 400 naming the part that is wrong. A comparison on a missing key is false (`ne`/`nin`: true).
/// </summary>
public static class AttributeFilter
{
    private const int MaxDepth = 8;

    public static Func<IReadOnlyDictionary<string, JsonElement>, bool> Parse(JsonElement filter) => Parse(filter, 0);

    private static Func<IReadOnlyDictionary<string, JsonElement>, bool> Parse(JsonElement filter, int depth)
    {
        if (filter.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            throw Bad("Each filter must be an object (nested at most 8 deep).");
        }
        var type = filter.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "and" or "or":
                if (!filter.TryGetProperty("filters", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                {
                    throw Bad($"A '{type}' filter needs a non-empty 'filters' array.");
                }
                var parts = list.EnumerateArray().Select(f => Parse(f, depth + 1)).ToList();
                return type == "and" ? a => parts.All(p => p(a)) : a => parts.Any(p => p(a));
            case "eq" or "ne" or "gt" or "gte" or "lt" or "lte" or "in" or "nin":
                if (!filter.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(k.GetString()))
                {
                    throw Bad($"A '{type}' filter needs a string 'key'.");
                }
                if (!filter.TryGetProperty("value", out var v))
                {
                    throw Bad($"A '{type}' filter needs a 'value'.");
                }
                return Comparison(type, k.GetString()!, v.Clone());
            default:
                throw Bad("A filter's 'type' must be one of eq, ne, gt, gte, lt, lte, in, nin, and, or.");
        }
    }

    private static Func<IReadOnlyDictionary<string, JsonElement>, bool> Comparison(string type, string key, JsonElement value)
    {
        if (type is "in" or "nin")
        {
            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => !IsScalar(e)))
            {
                throw Bad($"An '{type}' filter's 'value' must be an array of strings, numbers or booleans.");
            }
            var options = value.EnumerateArray().ToList();
            return type == "in"
                ? a => a.TryGetValue(key, out var x) && options.Any(o => Compare(x, o) == 0)
                : a => !a.TryGetValue(key, out var x) || options.All(o => Compare(x, o) != 0);
        }
        if (!IsScalar(value))
        {
            throw Bad($"A '{type}' filter's 'value' must be a string, a number or a boolean.");
        }
        return type switch
        {
            "eq" => a => a.TryGetValue(key, out var x) && Compare(x, value) == 0,
            "ne" => a => !a.TryGetValue(key, out var x) || Compare(x, value) != 0,
            "gt" => a => a.TryGetValue(key, out var x) && Compare(x, value) is > 0 and not Incomparable,
            "gte" => a => a.TryGetValue(key, out var x) && Compare(x, value) is >= 0 and not Incomparable,
            "lt" => a => a.TryGetValue(key, out var x) && Compare(x, value) < 0,
            _ => a => a.TryGetValue(key, out var x) && Compare(x, value) <= 0,
        };
    }

    private const int Incomparable = int.MaxValue;

    /// <summary>Numbers by value, strings ordinally, booleans by equality; values of different kinds never match.</summary>
    private static int Compare(JsonElement x, JsonElement y) => (x.ValueKind, y.ValueKind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => x.GetDouble().CompareTo(y.GetDouble()),
        (JsonValueKind.String, JsonValueKind.String) => Math.Sign(string.CompareOrdinal(x.GetString(), y.GetString())),
        (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False) => x.ValueKind == y.ValueKind ? 0 : Incomparable,
        _ => Incomparable,
    };

    private static bool IsScalar(JsonElement e) =>
        e.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    private static ApiException Bad(string message) => new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_filters") { Param = "filters" };
}
