using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ServiceDefaults.Json;
using VoiceService.Services.Audio;

namespace VoiceService.Services.Answers;

/// <summary>
/// Where a voice answer goes: one SSE stream of events (OpenAI's "event:/data:" framing), or the audio alone as
/// one growing body (mp3 frames back to back, or one WAV header and then each sentence's samples).
/// </summary>
public abstract class VoiceOutput(HttpResponse response, TurnClock clock)
{
    protected HttpResponse Response { get; } = response;

    /// <summary>SSE when the client did not ask for audio/mpeg or audio/wav by Accept.</summary>
    public static VoiceOutput For(HttpContext context, SpeechFormat sseFormat, TurnClock clock)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        foreach (var type in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            var media = type.MediaType.Value?.ToLowerInvariant();
            if (media is "audio/mpeg" or "audio/mp3")
            {
                return new AudioOutput(context.Response, SpeechFormat.Mp3, clock);
            }
            if (media is "audio/wav" or "audio/x-wav" or "audio/wave")
            {
                return new AudioOutput(context.Response, SpeechFormat.Wav, clock);
            }
            if (media is "text/event-stream" or "*/*" or "application/json")
            {
                break;
            }
        }
        return new SseOutput(context.Response, sseFormat, clock);
    }

    public abstract SpeechFormat Format { get; }

    protected TurnClock Clock { get; } = clock;

    public async Task StartAsync(string? transcript, CancellationToken cancellationToken)
    {
        Response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        Response.Headers.CacheControl = "no-cache";
        Response.Headers["X-Accel-Buffering"] = "no";
        await OnStartAsync(transcript, cancellationToken).ConfigureAwait(false);
        await Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected abstract Task OnStartAsync(string? transcript, CancellationToken cancellationToken);

    public abstract ValueTask SendAsync(VoiceEvent item, CancellationToken cancellationToken);

    public abstract Task FinishAsync(object done, CancellationToken cancellationToken);

    public abstract Task FailAsync(string message, CancellationToken cancellationToken);
}

internal sealed class SseOutput(HttpResponse response, SpeechFormat format, TurnClock clock) : VoiceOutput(response, clock)
{
    public override SpeechFormat Format => format;

    protected override async Task OnStartAsync(string? transcript, CancellationToken cancellationToken)
    {
        Response.ContentType = "text/event-stream";
        if (transcript is not null)
        {
            await WriteAsync("transcript", new { text = transcript }, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask SendAsync(VoiceEvent item, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case TextDeltaEvent delta:
                await WriteAsync("text.delta", new { delta = delta.Text }, cancellationToken).ConfigureAwait(false);
                break;
            case AudioEvent audio:
                await WriteAsync("audio", new
                {
                    sequence = audio.Sequence,
                    format = audio.Audio.Format.Name(),
                    audio = Convert.ToBase64String(audio.Audio.Data),
                    sentence = audio.Sentence,
                }, cancellationToken).ConfigureAwait(false);
                Clock.FirstAudioSent();
                break;
        }
    }

    public override Task FinishAsync(object done, CancellationToken cancellationToken) => WriteAsync("done", done, cancellationToken);

    public override Task FailAsync(string message, CancellationToken cancellationToken) =>
        WriteAsync("error", new { error = new { message, type = "server_error" } }, cancellationToken);

    private async Task WriteAsync(string name, object data, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(data, JsonDefaults.Options);
        await Response.WriteAsync($"event: {name}\ndata: {json}\n\n", cancellationToken).ConfigureAwait(false);
        await Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class AudioOutput(HttpResponse response, SpeechFormat format, TurnClock clock) : VoiceOutput(response, clock)
{
    private bool _headerWritten;

    public override SpeechFormat Format => format;

    protected override Task OnStartAsync(string? transcript, CancellationToken cancellationToken)
    {
        Response.ContentType = format.ContentType();
        if (transcript is not null)
        {
            // Headers are ASCII: the transcript travels percent-encoded.
            Response.Headers["X-Voice-Transcript"] = Uri.EscapeDataString(transcript);
        }
        return Task.CompletedTask;
    }

    public override async ValueTask SendAsync(VoiceEvent item, CancellationToken cancellationToken)
    {
        if (item is not AudioEvent audio)
        {
            return;
        }
        var data = audio.Audio.Data;
        if (format == SpeechFormat.Wav && Wav.TryRead(data, out var wav))
        {
            if (!_headerWritten)
            {
                await Response.Body.WriteAsync(Wav.StreamingHeader(wav.SampleRate, wav.Channels, wav.BitsPerSample), cancellationToken).ConfigureAwait(false);
                _headerWritten = true;
            }
            await Response.Body.WriteAsync(data.AsMemory(wav.DataOffset, wav.DataLength), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        await Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        Clock.FirstAudioSent();
    }

    public override Task FinishAsync(object done, CancellationToken cancellationToken) => Task.CompletedTask;

    // Audio cannot carry an error once it has started; ending the body early is the only signal left.
    public override Task FailAsync(string message, CancellationToken cancellationToken)
    {
        Response.HttpContext.Abort();
        return Task.CompletedTask;
    }
}
