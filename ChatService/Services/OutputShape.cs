using System.Text.Json;
using ChatService.Model;
using Microsoft.Extensions.AI;
using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// What a client asks of the answer's form beyond sampling (OpenAI's `response_format`, `stop`, `seed` and the
/// penalties), read from the request, checked, and handed to the model through <see cref="ChatOptions"/>.
/// </summary>
public sealed record OutputShape(
    ChatResponseFormat? Format = null, bool? Strict = null, IList<string>? Stop = null, long? Seed = null,
    float? PresencePenalty = null, float? FrequencyPenalty = null)
{
    /// <summary>The key Microsoft.Extensions.AI's OpenAI client reads a json_schema's `strict` from.</summary>
    private const string StrictKey = "strict";

    private const int MaxStops = 4;

    /// <summary>An answer of this shape may differ from a plain one, so the answer cache neither serves nor keeps it.</summary>
    public bool AllowsCachedAnswer =>
        Format is null or ChatResponseFormatText && Stop is null && Seed is null && PresencePenalty is null && FrequencyPenalty is null;

    public void ApplyTo(ChatOptions options)
    {
        options.ResponseFormat = Format;
        options.StopSequences = Stop;
        options.Seed = Seed;
        options.PresencePenalty = PresencePenalty;
        options.FrequencyPenalty = FrequencyPenalty;
        if (Strict is { } strict)
        {
            (options.AdditionalProperties ??= [])[StrictKey] = strict;
        }
    }

    /// <summary>
    /// Chat Completions' and the Assistants API's `response_format`: `{"type":"text"|"json_object"}` or
    /// `{"type":"json_schema","json_schema":{"name","description","schema","strict"}}`; runs also take "auto".
    /// </summary>
    public static (ChatResponseFormat? Format, bool? Strict) ReadResponseFormat(JsonElement? value, string param = "response_format")
    {
        if (value is not { } format || format.ValueKind == JsonValueKind.Null
            || (format.ValueKind == JsonValueKind.String && format.GetString() == "auto"))
        {
            return (null, null);
        }
        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw Invalid(param, "it must be an object with a 'type' of 'text', 'json_object' or 'json_schema'.");
        }
        switch (type.GetString())
        {
            case "text":
                return (ChatResponseFormat.Text, null);
            case "json_object":
                return (ChatResponseFormat.Json, null);
            case "json_schema" when format.TryGetProperty("json_schema", out var schema) && schema.ValueKind == JsonValueKind.Object:
                return ReadSchema(schema, $"{param}.json_schema");
            case "json_schema":
                throw Invalid($"{param}.json_schema", "a json_schema format needs a 'json_schema' object with a 'name' and a 'schema'.");
            default:
                throw Invalid($"{param}.type", "it must be 'text', 'json_object' or 'json_schema'.");
        }
    }

    /// <summary>A stored response_format as OpenAI shows it: the object given, or "auto".</summary>
    public static JsonElement Show(string? stored) =>
        stored is null ? Auto : JsonDocument.Parse(stored).RootElement.Clone();

    /// <summary>
    /// A response_format checked and kept as text, for a run or an assistant to pass on later; null for "auto".
    /// </summary>
    public static string? Keep(JsonElement? value)
    {
        var (format, _) = ReadResponseFormat(value);
        return format is null ? null : value!.Value.GetRawText();
    }

    /// <summary>The shape of a stored response_format.</summary>
    public static OutputShape? FromKept(string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        var (format, strict) = ReadResponseFormat(JsonDocument.Parse(stored).RootElement.Clone());
        return new OutputShape(format, strict);
    }

    private static readonly JsonElement Auto = JsonDocument.Parse("\"auto\"").RootElement.Clone();

    /// <summary>The Responses API's `text.format`: the same formats, with the json_schema's fields beside its type.</summary>
    public static (ChatResponseFormat? Format, bool? Strict) ReadTextFormat(JsonElement? text)
    {
        if (text is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw Access.BadRequest("text must be an object such as {\"format\":{\"type\":\"text\"}}.", "invalid_text", "text");
        }
        if (text is not { ValueKind: JsonValueKind.Object } t || !t.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        if (format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            switch (type.GetString())
            {
                case "text":
                    return (ChatResponseFormat.Text, null);
                case "json_object":
                    return (ChatResponseFormat.Json, null);
                case "json_schema":
                    return ReadSchema(format, "text.format");
            }
        }
        throw Invalid("text.format", "it must be an object with a 'type' of 'text', 'json_object' or 'json_schema'.");
    }

    /// <summary>`stop`: a string or an array of at most four strings.</summary>
    public static IList<string>? ReadStop(JsonElement? value)
    {
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } one:
                return [one.GetString()!];
            case { ValueKind: JsonValueKind.Array } many when many.GetArrayLength() <= MaxStops
                                                              && many.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String):
                return many.EnumerateArray().Select(s => s.GetString()!).ToList();
            default:
                throw Access.BadRequest($"Invalid 'stop': it must be a string or an array of at most {MaxStops} strings.", "invalid_stop", "stop");
        }
    }

    /// <summary>presence_penalty and frequency_penalty: -2 to 2, as OpenAI checks them.</summary>
    public static float? ReadPenalty(double? value, string param) =>
        value is null or (>= -2 and <= 2) ? (float?)value : throw Access.BadRequest($"{param} must be between -2 and 2.", $"invalid_{param}", param);

    private static (ChatResponseFormat, bool?) ReadSchema(JsonElement schema, string param)
    {
        if (!schema.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } schemaName)
        {
            throw Invalid($"{param}.name", "a json_schema format needs a 'name'.");
        }
        JsonElement? body = schema.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : null;
        var description = Json.StringOf(schema, "description");
        bool? strict = schema.TryGetProperty("strict", out var st) && st.ValueKind is JsonValueKind.True or JsonValueKind.False ? st.GetBoolean() : null;
        return (new ChatResponseFormatJson(body, schemaName, description), strict);
    }

    private static ApiException Invalid(string param, string why) =>
        Access.BadRequest($"Invalid '{param}': {why}", "invalid_response_format", param);
}
