using ServiceDefaults.Errors;

namespace VoiceService.Services.TextToSpeech;

/// <summary>
/// OpenAI's voice names, which every engine here maps onto voices of its own. A name outside them is refused as
/// OpenAI refuses it, rather than spoken in the default voice as if it had been chosen.
/// </summary>
public static class SpeechVoices
{
    public static readonly string[] OpenAI = ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar"];

    public static bool IsOpenAI(string voice) => OpenAI.Contains(voice, StringComparer.OrdinalIgnoreCase);

    /// <summary>Throws the 400 naming the voices when <paramref name="speech"/> cannot speak in <paramref name="voice"/>; none given is the default.</summary>
    public static void Ensure(ITextToSpeech speech, string? voice)
    {
        if (!string.IsNullOrEmpty(voice) && !speech.Speaks(voice))
        {
            throw RequestErrors.InvalidValue("voice", voice, OpenAI);
        }
    }
}
