using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceDefaults.Json;

/// <summary>
/// Reads strings, refusing the NUL character (written \u0000): PostgreSQL's text cannot hold it, so a name or a
/// message with one stored on SQLite but was a 500 on PostgreSQL. Refused while binding, the answer is the same 400 on
/// both, naming the field. Property names (metadata keys) are read the same way.
/// </summary>
internal sealed class NoNulStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Checked(reader.GetString()) : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Checked(string? value) =>
        value is not null && value.Contains('\0') ? throw new NulInTextException() : value;
}

/// <summary>A string the client sent holds the NUL character; the error writer answers it as a 400.</summary>
public sealed class NulInTextException() : JsonException(Text)
{
    public const string Text = "Text must not contain the NUL character (\\u0000).";
}
