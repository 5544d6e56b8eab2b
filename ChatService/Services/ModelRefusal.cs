using System.ClientModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// The model's 4xx about the request, with its status and OpenAI's error fields (message, param, code), so a client
/// sees what OpenAI itself would have said. 401 and 403 are about the platform's own key, not the client's request,
/// and stay 502s, as does a 404 without OpenAI's error body (a wrong base address answered by some other server).
/// </summary>
public static partial class ModelRefusal
{
    private const int MaxMessage = 1000;

    /// <summary>
    /// The refusal to relay, or null for a bare 404 (the upstream failing, not the request). Its param is named as the
    /// request named it (<paramref name="controls"/> say how).
    /// </summary>
    public static ApiException? Read(ClientResultException refused, ModelControls? controls, Providers.ModelSecrets secrets)
    {
        var error = ErrorObject(refused);
        var message = Model.Json.StringOf(error, "message");
        if (string.IsNullOrWhiteSpace(message))
        {
            // A bare 404 is a wrong base address answered by some other server, not an unknown model (OpenAI says that
            // in its error body); other bare refusals are relayed by their status alone.
            return refused.Status == StatusCodes.Status404NotFound ? null
                : new ApiException(refused.Status, $"The model refused the request (status {refused.Status}).", "Model refused the request", "upstream_refused");
        }
        return new ApiException(refused.Status, Relayable(secrets.Conceal(message)), "Model refused the request",
            Printable(Concealed(Model.Json.StringOf(error, "code"), secrets), 100) ?? "upstream_refused")
        {
            Param = ModelControls.ParamAsSent(Printable(Concealed(Model.Json.StringOf(error, "param"), secrets), 100), controls),
        };
    }

    private static string? Concealed(string? text, Providers.ModelSecrets secrets) => text is null ? null : secrets.Conceal(text);

    private static JsonElement ErrorObject(ClientResultException refused)
    {
        try
        {
            using var body = JsonDocument.Parse(refused.GetRawResponse()?.Content ?? BinaryData.Empty);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("error", out var e)
                && e.ValueKind == JsonValueKind.Object ? e.Clone() : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>
    /// A model behind a proxy (LiteLLM, vLLM, a gateway) may put its own addresses, a key or a stack trace in the
    /// message; the client is told what was wrong with its request, never where the platform's model lives.
    /// </summary>
    private static string Relayable(string message)
    {
        if (StackTrace().IsMatch(message))
        {
            return "The model refused the request.";
        }
        var scrubbed = Address().Replace(Secret().Replace(message, "[redacted]"), "[address]");
        return Printable(scrubbed, MaxMessage)!;
    }

    private static string? Printable(string? text, int max) =>
        string.IsNullOrWhiteSpace(text) ? null : new string([.. text.Where(c => !char.IsControl(c)).Take(max)]);

    // Python's and .NET's traces, as an upstream written in either would print them.
    [GeneratedRegex(@"Traceback \(most recent call last\)|\n\s+at \S+\(|File ""[^""]+"", line \d+")]
    private static partial Regex StackTrace();

    // URLs of any scheme, IPv4 and bracketed IPv6 addresses with an optional port, and dotted host:port pairs.
    [GeneratedRegex(@"\b[a-zA-Z][a-zA-Z0-9+.\-]*://\S+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-fA-F:]+\](?::\d+)?|\b(?:localhost|[\w\-]+(?:\.[\w\-]+)+):\d{2,5}\b")]
    private static partial Regex Address();

    // OpenAI-style keys (sk-..., also masked as sk-ab****yz) and bearer tokens.
    [GeneratedRegex(@"\b(?:sk|pk|rk)-[\w\-*]{4,}|\bBearer\s+\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Secret();
}
