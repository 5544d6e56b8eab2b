using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Json;

namespace ServiceDefaults.Errors;

/// <summary>
/// The one writer of error bodies: OpenAI's {"error":{...}} on /v1 routes, RFC 7807 elsewhere, whatever the request's
/// Accept header asks for (ASP.NET's default writer refuses e.g. text/event-stream, which turned errors into 500s).
/// </summary>
internal sealed class ProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Status = status;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        if (problem.Detail is null && status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail = UnsupportedMediaType(http.Request.ContentType);
        }
        if (problem.Detail is null && status == StatusCodes.Status413PayloadTooLarge)
        {
            problem.Detail = "The request body is larger than this operation takes.";
        }
        if (problem.Detail is null && status == StatusCodes.Status405MethodNotAllowed)
        {
            problem.Detail = MethodNotAllowed(MethodsMiddleware.Requested(http), http.Response.Headers.Allow.ToString());
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = "method_not_allowed";
            }
        }
        if (problem.Detail is null && status == StatusCodes.Status404NotFound && http.GetEndpoint() is null)
        {
            // What OpenAI says for a path it does not serve; native routes say the same.
            problem.Detail = $"Unknown request URL: {MethodsMiddleware.Requested(http)} {http.Request.Path}."
                + (OpenAIError.IsOpenAIResourceOutsideV1(http.Request.Path)
                    ? " The OpenAI-compatible API is served under /v1: end the client's base URL with /v1."
                    : "");
        }
        if (OpenAIError.IsOpenAIRoute(http.Request.Path))
        {
            return new ValueTask(http.Response.WriteAsJsonAsync(OpenAIError.From(problem, status), JsonDefaults.Options,
                contentType: "application/json", http.RequestAborted));
        }

        problem.Instance ??= http.Request.Path;
        // One title per status, whoever wrote the problem (the detail says what happened), and always a code to branch on.
        problem.Title = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : problem.Title;
        if (problem is HttpValidationProblemDetails && problem.Detail is null)
        {
            problem.Detail = "Some fields are not valid; errors names each with what is wrong.";
        }
        if (!problem.Extensions.ContainsKey("code") && NativeCode(status) is { } fallback)
        {
            problem.Extensions["code"] = fallback;
        }
        // The default options: ProblemDetails' own names (type, title, status, detail, instance) and extensions as given.
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), ProblemJson,
            contentType: "application/problem+json", http.RequestAborted));
    }

    /// <summary>The code of a native problem that was written without one.</summary>
    private static string? NativeCode(int status) => status switch
    {
        400 => "invalid_request",
        403 => "permission_denied",
        409 => "conflict",
        422 => "unprocessable_entity",
        _ => OpenAIError.DefaultCode(status),
    };

    /// <summary>Routing answers 405 with the route's methods in Allow but no words; the client needs both.</summary>
    private static string MethodNotAllowed(string method, string allow) =>
        string.IsNullOrEmpty(allow)
            ? $"This URL does not serve {method}."
            : $"This URL does not serve {method}; it serves {allow}.";

    private static readonly JsonSerializerOptions ProblemJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Routing refuses a body type no endpoint takes before any endpoint runs, so the answer cannot name the type this
    /// one wants; the everyday cause is `curl -d` without a content-type header, which sends a form.
    /// </summary>
    private static string UnsupportedMediaType(string? contentType)
    {
        var sent = string.IsNullOrWhiteSpace(contentType)
            ? "a body without a content-type"
            : MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Length <= 100
                ? $"a body of type {parsed.MediaType}"
                : "a body of that content-type";
        return $"This operation does not take {sent}: send the type it takes in the content-type header "
            + "(application/json for JSON; /docs shows what each operation takes).";
    }
}

public static class ProblemHttpContextExtensions
{
    /// <summary>Answers the request with an error in its family's shape; for middleware that ends a request early.</summary>
    public static Task WriteProblemAsync(this HttpContext context, int status, string detail, string? code = null, string? title = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title ?? ReasonPhrases.GetReasonPhrase(status), Detail = detail };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
