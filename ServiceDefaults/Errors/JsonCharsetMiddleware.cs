using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.Errors;

/// <summary>
/// JSON travels as UTF-8 (RFC 8259). A JSON body declared in another charset is refused with 415 up front; left to
/// the JSON reader, an unknown charset such as utf-7 throws where no handler expects it.
/// </summary>
internal sealed class JsonCharsetMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Most requests name no charset at all; only those are parsed.
        if (context.Request.ContentType is { } contentType
            && contentType.Contains("charset", StringComparison.OrdinalIgnoreCase)
            && MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.Charset is { Length: > 0 } charset
            && media.MediaType.Value?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("\"utf-8\"", StringComparison.OrdinalIgnoreCase))
        {
            return context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType,
                "Send JSON as UTF-8 (charset=utf-8, or no charset).", "unsupported_media_type");
        }
        return next(context);
    }
}
