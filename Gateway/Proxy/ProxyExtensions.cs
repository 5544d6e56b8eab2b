using ServiceDefaults.Errors;
using System.Net;
using Gateway.Auth;
using Gateway.Limits;
using ServiceDefaults.Identity;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Proxy;

public static class ProxyExtensions
{
    /// <summary>Routes only services call each other on; the public door stays shut for them.</summary>
    public static readonly string[] InternalOnlyPaths =
    [
        "/api/intent-cache/lookup", "/api/intent-cache/store", "/api/intent-cache/hits",
        "/api/intent-cache/assistants/{assistant_id}", "/api/assistants/{assistant_id}/documents",
    ];

    /// <summary>Credentials the gateway consumed; services get the vouched identity instead.</summary>
    private static readonly string[] ConsumedHeaders = [CallerTokenCodec.HeaderName, GatewayAuthenticationMiddleware.ApiKeyHeader, "Authorization"];

    public static IHostApplicationBuilder AddGatewayProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallerTokens>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            // Destinations written as http://chat-service resolve through service discovery (services__... or DNS).
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(context =>
            {
                // Resolved once per route: a lookup in RequestServices would open a DI scope for every request.
                var tokens = context.Services.GetRequiredService<CallerTokens>();
                context.AddRequestTransform(transform =>
                {
                    var headers = transform.ProxyRequest.Headers;
                    foreach (var header in ConsumedHeaders)
                    {
                        headers.Remove(header);
                    }
                    if (transform.HttpContext.GetGatewayCaller() is { } caller)
                    {
                        headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, tokens.For(caller));
                    }
                    return ValueTask.CompletedTask;
                });
                context.AddResponseTransform(transform =>
                {
                    if (transform.ProxyResponse is { StatusCode: HttpStatusCode.TooManyRequests } refusal)
                    {
                        LimitHeaders.YieldTo(refusal, transform.HttpContext.Response);
                    }
                    // An uploaded file comes back as its own type (text/html too): no browser may sniff it or run it.
                    if (transform.HttpContext.Request.Path.Value is { } path && path.EndsWith("/content", StringComparison.Ordinal))
                    {
                        var headers = transform.HttpContext.Response.Headers;
                        headers.XContentTypeOptions = "nosniff";
                        headers.ContentSecurityPolicy = "sandbox";
                    }
                    return ValueTask.CompletedTask;
                });
            });
        return builder;
    }

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        foreach (var path in InternalOnlyPaths)
        {
            app.Map(path, (HttpContext context) =>
                context.WriteProblemAsync(StatusCodes.Status404NotFound,
                    "No such route.")).ExcludeFromDescription();
        }
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<ProxyErrorMiddleware>();
            proxy.UseMiddleware<ProxyAccessMiddleware>();
            proxy.UseMiddleware<AssistantDeletionMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}
