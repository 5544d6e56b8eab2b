using System.CommandLine;
using OpenAI.Audio;

namespace Cli.Commands;

/// <summary>`chatbot speak` and `chatbot transcribe`: OpenAI's audio routes of voice-service.</summary>
public static class VoiceCommands
{
    private static readonly Dictionary<string, GeneratedSpeechFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mp3"] = GeneratedSpeechFormat.Mp3, ["wav"] = GeneratedSpeechFormat.Wav, ["opus"] = GeneratedSpeechFormat.Opus,
        ["aac"] = GeneratedSpeechFormat.Aac, ["flac"] = GeneratedSpeechFormat.Flac, ["pcm"] = GeneratedSpeechFormat.Pcm,
    };

    public static Command Speak(CliHost host)
    {
        var text = new Argument<string?>("text") { Description = "What to say (else read from standard input)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The audio file to write", Required = true };
        var format = new Option<string?>("--format") { Description = "mp3, wav, opus, aac, flac or pcm (default: the output's extension, else mp3)" }
            .AcceptOnlyFromAmong([.. Formats.Keys]);
        var voice = new Option<string>("--voice") { Description = "The voice (OpenAI's names: alloy, echo, nova, ...)", DefaultValueFactory = _ => "alloy" };
        var force = OutputFile.Force();
        var command = new Command("speak", "Turn text into speech, written to an audio file") { text, output, format, voice, force };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var input = context.Value(text) ?? await context.Terminal.ReadPipedAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(input))
            {
                throw new CliException("Nothing to say: give the text as an argument or on standard input.", ExitCodes.Usage);
            }
            var file = context.Value(output);
            var formatName = context.Value(format) ?? (Formats.ContainsKey(file.Extension.TrimStart('.')) ? file.Extension.TrimStart('.') : "mp3");
            OutputFile.RefuseExisting(file.FullName, context.Value(force));
            var audio = await context.Connection.OpenAI.GetAudioClient("tts-1").GenerateSpeechAsync(
                input.Trim(), new GeneratedSpeechVoice(context.Value(voice)),
                new SpeechGenerationOptions { ResponseFormat = Formats[formatName] }, cancellationToken);
            await using (var target = OutputFile.Create(file.FullName, context.Value(force)))
            {
                await target.WriteAsync(audio.Value.ToMemory(), cancellationToken);
            }
            context.Terminal.Message($"Wrote {audio.Value.ToMemory().Length} bytes of {formatName} to {file.FullName}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Transcribe(CliHost host)
    {
        var file = new Argument<FileInfo>("file") { Description = "The recording (wav, mp3, ...)" };
        var assistant = new Option<string?>("--assistant", "-a") { Description = "Recognise with this assistant's vocabulary (id or name)" };
        var language = new Option<string?>("--language") { Description = "The spoken language (ISO-639-1, e.g. en)" };
        var command = new Command("transcribe", "Turn a recording into text on standard output") { file, assistant, language };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var recording = context.Value(file);
            if (!recording.Exists)
            {
                throw new CliException($"No file '{recording.FullName}'.", ExitCodes.Usage);
            }
            var model = context.Value(assistant) is { } given ? (await AssistantLookup.FindAsync(context, given, cancellationToken)).Id : "whisper-1";
            await using var audio = recording.OpenRead();
            var transcription = await context.Connection.OpenAI.GetAudioClient(model).TranscribeAudioAsync(
                audio, recording.Name, new AudioTranscriptionOptions { Language = context.Value(language) }, cancellationToken);
            context.Terminal.Out.WriteLine(transcription.Value.Text);
            return ExitCodes.Ok;
        });
        return command;
    }
}
