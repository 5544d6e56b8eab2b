using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceDefaults.Json;

/// <summary>
/// Reads a number, or a number written as a string as the web defaults allow, but never NaN or ±Infinity: the web
/// defaults read "NaN" from a string, it slipped past range checks (every comparison with NaN is false) and the answer
/// failed to write it, a 500. Throwing without a message lets System.Text.Json add the field's path, which the error
/// writer names as the param.
/// </summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDouble(),
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new JsonException(),
        };
        return double.IsFinite(value) ? value : throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
