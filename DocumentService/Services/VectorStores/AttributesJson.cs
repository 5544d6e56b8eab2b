using System.Text.Json;
using ServiceDefaults.Errors;

namespace DocumentService.Services.VectorStores;

/// <summary>
/// A file's attributes as OpenAI limits them: at most 16 keys of up to 64 characters, values strings (up to 512
/// characters), numbers or booleans. Kept as JSON text so SQLite and PostgreSQL store them alike.
/// </summary>
public static class AttributesJson
{
    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();

    public static string Validate(JsonElement? attributes)
    {
        if (attributes is null || attributes.Value.ValueKind == JsonValueKind.Null)
        {
            return "{}";
        }
        var value = attributes.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad("'attributes' must be an object.");
        }
        var count = 0;
        foreach (var property in value.EnumerateObject())
        {
            if (++count > 16)
            {
                throw Bad("'attributes' may have at most 16 keys.");
            }
            if (property.Name.Length is 0 or > 64)
            {
                throw Bad("Attribute keys must be 1 to 64 characters.");
            }
            var ok = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!.Length <= 512,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => true,
                _ => false,
            };
            if (!ok)
            {
                throw Bad($"Attribute '{property.Name}' must be a string of at most 512 characters, a number or a boolean.");
            }
        }
        return value.GetRawText();
    }

    public static IReadOnlyDictionary<string, JsonElement> Read(string? json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    public static JsonElement ToElement(IReadOnlyDictionary<string, JsonElement>? attributes) =>
        attributes is null || attributes.Count == 0 ? Empty : JsonSerializer.SerializeToElement(attributes);

    public static JsonElement Parse(string? json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return document.RootElement.Clone();
    }

    private static ApiException Bad(string message) => new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_attributes") { Param = "attributes" };
}
