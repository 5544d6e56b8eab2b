using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using VoiceService.Services.TextToSpeech;

namespace VoiceService.Services.Answers;

/// <summary>
/// Speaks an answer while it is still being written: each sentence goes to synthesis the moment it is complete,
/// while reading goes on, and the sentences' audio is handed out strictly in order. The client's writer is the only
/// one that writes; when it fails (the client went away) or the turn is cancelled, reading, synthesis and the
/// upstream request all stop.
/// </summary>
public sealed class AnswerSpeaker(ITextToSpeech speech, IOptions<VoiceOptions> options)
{
    public sealed record Outcome(string Text, int Sentences);

    public async Task<Outcome> SpeakAsync(IAsyncEnumerable<string> deltas, string? voice, double speed, SpeechFormat format,
        Func<VoiceEvent, CancellationToken, ValueTask> send, TurnClock clock, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = Channel.CreateUnbounded<VoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
        var pending = Channel.CreateUnbounded<(int Sequence, string Sentence, Task<SpeechAudio> Audio)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var slots = new SemaphoreSlim(options.Value.SynthesisConcurrency);
        var splitter = new SentenceSplitter(options.Value.SentenceMaxChars, options.Value.FirstClauseChars);
        var answer = new System.Text.StringBuilder();
        var count = 0;

        void Schedule(string sentence)
        {
            var speakable = SentenceSplitter.Speakable(sentence);
            if (speakable.Length == 0)
            {
                return;
            }
            clock.FirstSentence();
            var sequence = count++;
            pending.Writer.TryWrite((sequence, sentence, SynthesizeAsync(speakable, sequence)));
        }

        async Task<SpeechAudio> SynthesizeAsync(string text, int sequence)
        {
            await slots.WaitAsync(stop.Token).ConfigureAwait(false);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var audio = await speech.SynthesizeAsync(text, voice, format, speed, stop.Token).ConfigureAwait(false);
                if (sequence == 0)
                {
                    clock.FirstSynthesis(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                return audio;
            }
            finally
            {
                slots.Release();
            }
        }

        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var delta in deltas.WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    clock.FirstText();
                    answer.Append(delta);
                    events.Writer.TryWrite(new TextDeltaEvent(delta));
                    foreach (var sentence in splitter.Push(delta))
                    {
                        Schedule(sentence);
                    }
                }
                foreach (var sentence in splitter.Flush())
                {
                    Schedule(sentence);
                }
                pending.Writer.Complete();
            }
            catch (Exception ex)
            {
                pending.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        var ordering = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in pending.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    var audio = await item.Audio.ConfigureAwait(false);
                    events.Writer.TryWrite(new AudioEvent(item.Sequence, item.Sentence, audio));
                }
                events.Writer.Complete();
            }
            catch (Exception ex)
            {
                events.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var item in events.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await send(item, stop.Token).ConfigureAwait(false);
            }
            return new Outcome(answer.ToString(), count);
        }
        finally
        {
            // Whatever ended the turn (done, a failure, a client gone) ends every part of it.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reading, ordering).ConfigureAwait(false);
            while (pending.Reader.TryRead(out var left))
            {
                _ = left.Audio.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }
        }
    }
}
