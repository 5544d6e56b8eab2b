namespace VoiceService.Tests;

/// <summary>
/// The voice service in the test process, with scripted stand-ins for chat-service (a paced OpenAI stream) and for
/// intent-cache-service and document-service (one assistant's intents and documents).
/// </summary>
internal sealed class VoiceHost : IAsyncDisposable
{
    public const string AssistantId = "asst_hr";

    public static readonly string[] Examples =
    [
        "how many vacation days do i get each year",
        "can i work from home on fridays",
        "what is the parental leave policy",
    ];

    public const string PolicyText = "Employees receive twenty five vacation days. Remote work is allowed on Fridays. Parental leave lasts sixteen weeks.";

    private VoiceHost(ScriptedHttpServer chat, ScriptedHttpServer knowledge, ServiceFactory<Program> factory)
    {
        Chat = chat;
        Knowledge = knowledge;
        Factory = factory;
    }

    public ScriptedHttpServer Chat { get; }

    public ScriptedHttpServer Knowledge { get; }

    public ServiceFactory<Program> Factory { get; }

    public static async Task<VoiceHost> StartAsync(string answer, TimeSpan pace, TaskCompletionSource? chatAborted = null,
        Action<ServiceFactory<Program>>? configure = null, Task? holdLastSentence = null, string finishReason = "stop")
    {
        var chat = await ScriptedHttpServer.StartAsync(
            ScriptedSiblings.Chat(ScriptedSiblings.Tokens(answer), pace, chatAborted, holdLastSentence, finishReason));
        var knowledge = await ScriptedHttpServer.StartAsync(ScriptedSiblings.Knowledge(AssistantId, Examples, PolicyText));
        var factory = new ServiceFactory<Program>()
            .With("services:chat-service:http:0", chat.Url.ToString())
            .With("services:intent-cache-service:http:0", knowledge.Url.ToString())
            .With("services:document-service:http:0", knowledge.Url.ToString());
        configure?.Invoke(factory);
        return new VoiceHost(chat, knowledge, factory);
    }

    public HttpClient CreateClient(string userId = "usr_alice")
    {
        var client = Factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        return client.ActAs(userId);
    }

    public static MultipartFormDataContent Form(byte[] audio, string fileName, string contentType, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(audio);
        file.Headers.ContentType = new(contentType);
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        return form;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Chat.DisposeAsync();
        await Knowledge.DisposeAsync();
    }
}
