using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Cli.Gateway;

/// <summary>
/// Turns the gateway's error answers (ProblemDetails on /api and /auth, OpenAI's error body on /v1) into one
/// CliException with the server's own words, the wait of a rate limit, and an exit code by kind.
/// </summary>
public static class ApiError
{
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds
            ?? (response.Headers.RetryAfter?.Date is { } date ? (date - DateTimeOffset.UtcNow).TotalSeconds : null);
        throw From((int)response.StatusCode, body, retryAfter);
    }

    public static CliException From(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        if (response is null)
        {
            return new CliException(ex.Message);
        }
        double? retryAfter = response.Headers.TryGetValue("Retry-After", out var value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
        return From(response.Status, response.Content.ToString(), retryAfter);
    }

    public static CliException From(int status, string body, double? retryAfterSeconds)
    {
        var message = MessageOf(body) is { Length: > 0 } said ? said : $"The gateway answered {status} ({(HttpStatusCode)status}).";
        return status switch
        {
            // The request as the user wrote it was refused (a field out of range, a file too large): bad usage, as
            // README's table has it.
            400 or 413 or 422 => new CliException(message, ExitCodes.Usage),
            401 => new CliException($"{message} Log in with `chatbot login` or set CHATBOT_API_KEY.", ExitCodes.Unauthorized),
            403 => new CliException(message, ExitCodes.Unauthorized),
            404 => new CliException(message, ExitCodes.NotFound),
            // The platform's own messages say when ("retry after 59 s"); a message that does not gets the header's wait.
            429 => new CliException(
                message.Contains("retry after", StringComparison.OrdinalIgnoreCase)
                    ? $"Rate limited: {message}"
                    : $"Rate limited: {message} Try again in {Math.Max(1, Math.Ceiling(retryAfterSeconds ?? 1))} s.",
                ExitCodes.RateLimited),
            _ => new CliException(message),
        };
    }

    private static string? MessageOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var openAiMessage))
            {
                return openAiMessage.GetString();
            }
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            var errors = root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object
                ? string.Join(" ", e.EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(m => m.GetString())))
                : null;
            // A validation problem's title and detail are generic; its field errors say what is wrong.
            if (!string.IsNullOrWhiteSpace(errors))
            {
                return errors;
            }
            return detail ?? (root.TryGetProperty("title", out var t) ? t.GetString() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
