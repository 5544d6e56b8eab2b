using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using ServiceDefaults;
using ServiceDefaults.Errors;
using Gateway.Auth;
using Gateway.Proxy;

namespace Gateway.Apis;

/// <summary>
/// One Swagger UI at /docs listing the gateway's own operations and every service's, whose documents the gateway
/// fetches from each service's /openapi/v1.json. "Try it out" goes through the gateway like any client, so the routes
/// the gateway keeps shut (services call them on each other) are left out of the documents it shows.
/// </summary>
public static class DocsApi
{
    // The page's policy, loosened only where Swagger UI needs it: its stylesheet draws icons as data: images, a markdown
    // table in a description aligns its cells with style attributes, and a downloaded response is shown from a blob:.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapDocsApi(this WebApplication app)
    {
        app.MapGet("/docs/{service}/openapi.json", FetchAsync).ExcludeFromDescription();
        // Swagger UI's middleware matches every request's path against its own patterns; only /docs needs it.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/docs"), docs => docs.Use(WithSecurityHeaders).UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.DocumentTitle = "Chatbot platform API";
            options.SwaggerEndpoint("/openapi/v1.json", "gateway");
            foreach (var service in PlatformServices.BehindTheGateway)
            {
                options.SwaggerEndpoint($"/docs/{service}/openapi.json", service);
            }
        }));
        return app;
    }

    private static Task WithSecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }

    /// <summary>How long a service's document is served from the gateway's memory: anyone may ask for it, as often as they like.</summary>
    private static readonly TimeSpan DocumentLifetime = TimeSpan.FromMinutes(1);

    private const string JsonType = "application/json; charset=utf-8";

    private static async Task FetchAsync(string service, HttpContext context, IHttpClientFactory clients, IMemoryCache cache)
    {
        if (!PlatformServices.BehindTheGateway.Contains(service, StringComparer.Ordinal))
        {
            await context.WriteProblemAsync(StatusCodes.Status404NotFound, $"No service named '{service}'.");
            return;
        }
        if (cache.TryGetValue("openapi:" + service, out byte[]? kept) && kept is not null)
        {
            await TypedResults.Bytes(kept, JsonType).ExecuteAsync(context);
            return;
        }
        try
        {
            using var response = await clients.CreateClient("openapi")
                .GetAsync(new Uri($"http://{service}/openapi/v1.json"), HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            if (response.IsSuccessStatusCode
                && await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(context.RequestAborted), cancellationToken: context.RequestAborted) is JsonObject document)
            {
                if (document["paths"] is JsonObject paths)
                {
                    foreach (var path in ProxyExtensions.InternalOnlyPaths)
                    {
                        paths.Remove(path);
                    }
                }
                // Kept as bytes: a parsed document is not safe to write from several requests at once.
                var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document);
                cache.Set("openapi:" + service, bytes, DocumentLifetime);
                await TypedResults.Bytes(bytes, JsonType).ExecuteAsync(context);
                return;
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException)
        {
            // Reported below as the service being unavailable.
        }
        await context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable,
            $"{service} did not give its OpenAPI document; it may be down.", "service_unavailable");
    }
}
