using Microsoft.AspNetCore.StaticFiles;

namespace Gateway.Extensions;

/// <summary>
/// The web app: static pages from wwwroot, served before authentication and limits (they are public and would
/// otherwise use up an anonymous caller's request budget), with client routes falling back to index.html.
/// </summary>
public static class WebAppExtensions
{
    /// <summary>Path prefixes that belong to the API or the gateway itself; the page never answers for them.</summary>
    private static readonly string[] Reserved = ["/v1", "/api", "/auth", "/docs", "/openapi", "/health", "/alive"];

    // Nothing from a model or a document may run: scripts and styles only from this origin, no inline code, no frames.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseWebApp(this WebApplication app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        app.Use((context, next) =>
        {
            if (IsClientRoute(context))
            {
                context.Request.Path = "/index.html";
            }
            return next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // The pages change with every deployment and are small: revalidate rather than serve stale code.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    /// <summary>The page's own sections (js/app.js routes, and its sign-in page).</summary>
    private static readonly string[] Sections = ["/chat", "/assistants", "/documents", "/intents", "/keys", "/login"];

    /// <summary>
    /// A page address: a GET no endpoint claimed, outside the API, with no file extension, that is one of the page's
    /// sections (/chat/thread_1) or that a browser asks for (it shows its start page). Anything else is a 404, so a
    /// client whose base URL lacks /v1 (GET /models) hears that instead of getting HTML with a 200.
    /// </summary>
    private static bool IsClientRoute(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) || context.GetEndpoint() is not null)
        {
            return false;
        }
        var path = request.Path;
        if (!path.HasValue || path.Value == "/" || Reserved.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return path.Value == "/";
        }
        return !Path.HasExtension(path.Value)
            && (Sections.Any(section => path.StartsWithSegments(section, StringComparison.OrdinalIgnoreCase))
                || request.Headers.Accept.Any(accept => accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true));
    }
}
