using System.Net.Http.Json;
using System.Text.Json;

namespace Cli.Gateway;

/// <summary>The platform's JSON: snake_case, as ServiceDefaults writes it.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>
    /// A successful answer's body; a URL that answers something else (a dashboard's web page, say) is not a gateway,
    /// which is said in words rather than as a parser's exception.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, Uri? gateway, CancellationToken cancellationToken)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        if (type is null || !type.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            throw NotAGateway(gateway, type ?? "no content type");
        }
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Options, cancellationToken) ?? throw NotAGateway(gateway, "null");
        }
        catch (JsonException)
        {
            throw NotAGateway(gateway, "JSON the platform does not send");
        }
    }

    public static CliException NotAGateway(Uri? gateway, string answered) =>
        new($"'{gateway}' is not a chatbot gateway (it answered {answered}).", ExitCodes.Unreachable);
}
