using ServiceDefaults.Access;
using VoiceService.Services.Answers;
using VoiceService.Services.Audio;
using VoiceService.Services.Aws;
using VoiceService.Services.SpeechToText;
using VoiceService.Services.TextToSpeech;
using VoiceService.Services.Turns;

namespace VoiceService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache");
        builder.Services.AddOptions<VoiceOptions>()
            .Bind(builder.Configuration.GetSection(VoiceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddAssistantAccess();
        builder.Services.AddMemoryCache();
        builder.Services.AddHealthChecks().AddCheck<LocalEnginesHealthCheck>("voice-engines", tags: ["ready"]);
        builder.Services.AddHttpClient(ChatAnswerClient.HttpClientName);
        builder.Services.AddHttpClient(VocabularyProvider.HttpClientName);
        // AWS is not a configured sibling, so ServiceDefaults never hands it the caller token.
        builder.Services.AddHttpClient(AwsConnection.HttpClientName);

        builder.Services.AddSingleton<AwsConnection>();
        builder.Services.AddSingleton<AudioConverter>();
        builder.Services.AddSingleton<RecordingReader>();
        builder.Services.AddSingleton<VocabularyProvider>();
        builder.Services.AddSingleton<ChatAnswerClient>();
        builder.Services.AddSingleton<AnswerSpeaker>();
        builder.Services.AddSingleton<TurnStore>();
        builder.Services.AddSingleton<VoiceTurnRunner>();
        builder.Services.AddSingleton<LocalSpeechToText>();
        builder.Services.AddSingleton<TranscribeSpeechToText>();
        builder.Services.AddSingleton<LocalTextToSpeech>();
        builder.Services.AddSingleton<PollyTextToSpeech>();

        var voice = builder.Configuration.GetSection(VoiceOptions.SectionName);
        builder.Services.AddSingleton<ISpeechToText>(sp => voice["SpeechToText"] == "aws"
            ? sp.GetRequiredService<TranscribeSpeechToText>()
            : sp.GetRequiredService<LocalSpeechToText>());
        builder.Services.AddSingleton<ITextToSpeech>(sp => voice["TextToSpeech"] == "aws"
            ? sp.GetRequiredService<PollyTextToSpeech>()
            : sp.GetRequiredService<LocalTextToSpeech>());
    }
}
