using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ServiceDefaults.Json;

namespace ChatService.Services;

/// <summary>Server-sent events as OpenAI writes them, flushed event by event so tokens leave as they come.</summary>
public sealed class SseWriter
{
    private readonly HttpResponse _response;

    public SseWriter(HttpContext context)
    {
        _response = context.Response;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-cache";
        _response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    public Task EventAsync(string name, object data, CancellationToken cancellationToken) =>
        WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, JsonDefaults.Options)}\n\n", cancellationToken);

    public Task DataAsync(object data, CancellationToken cancellationToken) =>
        WriteAsync($"data: {JsonSerializer.Serialize(data, JsonDefaults.Options)}\n\n", cancellationToken);

    public Task RawAsync(string text, CancellationToken cancellationToken) => WriteAsync(text, cancellationToken);

    /// <summary>The usage comment the gateway counts tokens from (docs/contracts.md); SSE clients skip comments.</summary>
    public Task UsageAsync(int prompt, int completion, CancellationToken cancellationToken) =>
        WriteAsync($": usage {JsonSerializer.Serialize(new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion })}\n\n",
            cancellationToken);

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await _response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await _response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
