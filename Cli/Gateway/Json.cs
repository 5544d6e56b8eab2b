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
}
