using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Json;

namespace ServiceDefaults.Errors;

/// <summary>
/// Turns exceptions into the family's error shape. Client mistakes keep their 4xx status; anything else is a 500
/// whose body says nothing of the internals (the log has the stack trace). It also stands in for the developer
/// exception page, which ASP.NET puts in front of every app in Development: that page shows its filters' answer
/// instead of its own, so a client sees the same body in every environment.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler, IDeveloperPageExceptionFilter
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        await HandleAsync(context, exception).ConfigureAwait(false);
        return true;
    }

    public Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next) =>
        HandleAsync(errorContext.HttpContext, errorContext.Exception);

    private async Task HandleAsync(HttpContext context, Exception exception)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to read an answer.
            context.Response.StatusCode = 499;
            return;
        }

        exception = BindFailureAsInvalidType(exception);
        var (status, title, detail) = Describe(exception);
        if (status >= 500)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = status;
        if (exception is ApiException { RetryAfter: { } wait })
        {
            context.Response.Headers.RetryAfter = RetryAfter.Header(wait);
        }
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is ApiException { Code: { } code })
        {
            problem.Extensions["code"] = code;
        }
        if (((exception as ApiException)?.Param ?? ParamOf(exception)) is { } param)
        {
            problem.Extensions["param"] = param;
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // A code and a wait the thrower named (embeddings_unavailable, engine_unavailable) say more than the default.
            problem.Extensions.TryAdd("code", "service_unavailable");
            if (!context.Response.Headers.ContainsKey("Retry-After"))
            {
                context.Response.Headers.RetryAfter = "1";
            }
        }
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    internal static (int Status, string Title, string? Detail) Describe(Exception exception) => exception switch
    {
        ApiException api => (api.StatusCode, api.Title, api.Message),
        NulInTextException or BadHttpRequestException { InnerException: NulInTextException } => (StatusCodes.Status400BadRequest, "Bad request", NulInTextException.Text),
        JsonException json => (StatusCodes.Status400BadRequest, "Bad request", InvalidJson(json)),
        BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "Bad request", InvalidJson(json)),
        // ASP.NET's own words for a missing body speak to the developer ("Implicit body inferred ... a Service?").
        BadHttpRequestException bad when bad.Message.Contains("no body was provided", StringComparison.Ordinal)
            || bad.Message.EndsWith("was not provided from body.", StringComparison.Ordinal)
            => (bad.StatusCode, "Bad request", "The request body is empty; send a JSON object."),
        // ASP.NET's "Expected a supported JSON media type but got ..." speaks to the developer; the writer says it plainly.
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", null),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", WithoutTypeNames(bad.Message)),
        InvalidOperationException when IsInvalidText(exception) => (StatusCodes.Status400BadRequest, "Bad request", InvalidText),
        // Malformed multipart or form bodies (boundaries, section limits) are the client's to fix.
        InvalidDataException => (StatusCodes.Status400BadRequest, "Bad request", "The request body is malformed."),
        _ when StoreRefusal.IsNulInText(exception) => (StatusCodes.Status400BadRequest, "Bad request", NulInTextException.Text),
        _ when StoreOutage.IsOutage(exception) => (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
            "A store this service depends on is not available right now; try again shortly."),
        _ => (StatusCodes.Status500InternalServerError, "Internal error", "An unexpected error occurred."),
    };

    private const string InvalidText = "The request body has text that is not valid Unicode (an unpaired surrogate such as \\ud800, or bytes that are not UTF-8).";

    /// <summary>
    /// A JsonElement keeps a string as the client wrote it, so an escaped lone surrogate (Python's json.dumps writes
    /// one for any unpaired surrogate) or bytes that are not UTF-8 fail only when the text is read, after binding.
    /// System.Text.Json marks its reader errors with this Source; a bad surrogate is thrown by a helper named for
    /// UTF-16 and bad UTF-8 carries the decoder's exception, which tells them from a wrong-type read of our own.
    /// </summary>
    private static bool IsInvalidText(Exception exception) =>
        exception.Source == "System.Text.Json.Rethrowable"
        && (exception.InnerException is System.Text.DecoderFallbackException
            || exception.TargetSite?.Name.Contains("UTF16", StringComparison.Ordinal) == true);

    /// <summary>The field a body failed to bind at, as the client wrote it ("$.messages[0].content" is "messages[0].content").</summary>
    private static string? ParamOf(Exception exception) =>
        (exception as JsonException ?? exception.InnerException as JsonException)?.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? path[2..]
            : null;

    /// <summary>
    /// ASP.NET's words for a query or route value of the wrong type ("Failed to bind parameter \"int? limit\" from
    /// \"abc\"") become OpenAI's: code `invalid_type`, the parameter as the client wrote it in `param`.
    /// </summary>
    private static Exception BindFailureAsInvalidType(Exception exception) =>
        exception is BadHttpRequestException bad && BindFailure().Match(bad.Message) is { Success: true } failed
            ? RequestErrors.InvalidType(SnakeCase(failed.Groups["name"].Value), failed.Groups["value"].Value, Expected(failed.Groups["type"].Value))
            : exception;

    private static string Expected(string type) => type.TrimEnd('?').ToLowerInvariant() switch
    {
        "int" or "long" or "short" or "int32" or "int64" or "int16" or "nullable<int>" or "nullable<long>" => "an integer",
        "double" or "float" or "decimal" or "single" or "nullable<double>" => "a number",
        "bool" or "boolean" or "nullable<bool>" => "a boolean (true or false)",
        _ => "a valid value",
    };

    private static string InvalidJson(JsonException json) =>
        string.IsNullOrEmpty(json.Path) || json.Path == "$"
            ? "The request body is not valid JSON."
            : $"The request body is not valid JSON, or a value has the wrong type (at {json.Path}).";

    /// <summary>
    /// Binding messages name parameters as "Type name" in C#'s casing; the client needs the name only, as it sent it
    /// (every query parameter of both API families is snake_case: `startingAfter` is `starting_after`).
    /// </summary>
    private static string WithoutTypeNames(string message) =>
        ParameterWithType().Replace(message, match => $"\"{SnakeCase(match.Groups[1].Value)}\"");

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    [GeneratedRegex("\"[^\"\\s]+ ([A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterWithType();

    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"\\s]+) (?<name>[A-Za-z_][A-Za-z0-9_]*)\" from \"(?<value>.*)\"\\.$", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

/// <summary>Thrown from deep inside a service when a request cannot be served; carries the status to answer with.</summary>
public sealed class ApiException(int statusCode, string message, string title = "Request failed", string? code = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
    public string? Code { get; } = code;

    /// <summary>When set, the answer says in Retry-After when to try again (a 429 or 503).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The request field at fault, as the client wrote it (`messages`, `temperature`, `after`): OpenAI's `param`.</summary>
    public string? Param { get; init; }
}
