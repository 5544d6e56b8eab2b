using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace ServiceDefaults.Errors;

/// <summary>OpenAI's error body, {"error":{message,type,param,code}}.</summary>
public sealed record OpenAIError(OpenAIErrorBody Error)
{
    public static bool IsOpenAIRoute(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    /// <summary>OpenAI's resources, first segment of their paths: what a client whose base URL lacks /v1 asks for.</summary>
    private static readonly string[] Resources =
    [
        "/models", "/chat", "/completions", "/embeddings", "/assistants", "/threads", "/files", "/uploads", "/vector_stores",
        "/responses", "/conversations", "/audio", "/images", "/moderations", "/batches", "/fine_tuning", "/realtime",
    ];

    public static bool IsOpenAIResourceOutsideV1(PathString path) =>
        Resources.Any(resource => path.StartsWithSegments(resource, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// ProblemDetails extensions "code" and "param" carry OpenAI's fields; the type follows the status as OpenAI's does.
    /// </summary>
    public static OpenAIError From(ProblemDetails problem, int status)
    {
        var param = problem.Extensions.TryGetValue("param", out var p) ? p?.ToString() : null;
        var message = problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status);
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            var first = validation.Errors.First();
            param ??= first.Key;
            message = first.Value.FirstOrDefault() ?? message;
        }

        var code = problem.Extensions.TryGetValue("code", out var c) ? c?.ToString() : DefaultCode(status);
        return new OpenAIError(new OpenAIErrorBody(message, TypeFor(status), param, code));
    }

    /// <summary>The body for a failure inside an SSE stream already under way, sent as its last `data:` event.</summary>
    public static OpenAIError From(ApiException exception) =>
        new(new OpenAIErrorBody(exception.Message, TypeFor(exception.StatusCode), exception.Param, exception.Code ?? DefaultCode(exception.StatusCode)));

    private static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 or 400 or 409 or 413 or 415 or 422 => "invalid_request_error",
        429 => "rate_limit_exceeded",
        503 => "service_unavailable",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    internal static string? DefaultCode(int status) => status switch
    {
        401 => "invalid_api_key",
        404 => "not_found",
        413 => "request_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limit_exceeded",
        _ => null,
    };
}

public sealed record OpenAIErrorBody(string Message, string Type, string? Param, string? Code);
