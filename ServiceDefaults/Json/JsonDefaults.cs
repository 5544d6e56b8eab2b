using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Json;

/// <summary>
/// Both API families speak snake_case JSON with string enums, as OpenAI's API does, and write text in other scripts as
/// itself: the default encoder escapes every character outside ASCII, so an answer in Japanese or Greek went out as
/// \uXXXX sequences, twice the bytes of its UTF-8 (characters HTML gives meaning to are still escaped).
/// </summary>
public static class JsonDefaults
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static readonly JsonSerializerOptions Options = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = Encoder;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new FiniteDoubleConverter());
        options.Converters.Add(new NoNulStringConverter());
        return options;
    }

    public static IHostApplicationBuilder AddJsonDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(o => Apply(o.SerializerOptions));
        return builder;
    }
}
