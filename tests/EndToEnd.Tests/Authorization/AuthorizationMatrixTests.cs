using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using static EndToEnd.Tests.Authorization.Callers;

namespace EndToEnd.Tests.Authorization;

/// <summary>
/// Every resource route × every kind of caller: exactly who may read, list, change and delete. The rule for API keys
/// (docs/contracts.md): a key scoped to assistants reaches only what belongs to them; a thread belongs to the assistant
/// of its first run (until then, to the key that made it); a /v1/files file to the key that uploaded it.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthorizationMatrixTests(Platform platform, ITestOutputHelper output)
{
    private static readonly string[] OwnerAndKey = [Owner, KeyInScope];
    private static readonly string[] OwnerOnly = [Owner];

    [Fact]
    public async Task AnAssistantIsReadListedChangedAndDeletedByItsOwnerAndItsKeyOnly()
    {
        var (callers, matrix) = await StartAsync();
        var id = callers.AssistantId;
        await ReadListChangeAsync(matrix, "assistant", OwnerAndKey, $"/v1/assistants/{id}", "/v1/assistants?limit=100", id,
            HttpMethod.Post, $"/v1/assistants/{id}", () => Matrix.Json("""{"metadata":{"checked":"yes"}}"""));

        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectAsync("assistant", "delete", caller, false, HttpMethod.Delete, $"/v1/assistants/{id}");
        }
        var doomed = await NewAssistantAsync(callers[Owner], "Doomed");
        await matrix.ExpectAsync("assistant", "delete", Owner, true, HttpMethod.Delete, $"/v1/assistants/{doomed}");
        Finish(matrix);
    }

    [Fact]
    public async Task AThreadItsMessagesAndRunsGoWithTheAssistantOfItsFirstRun()
    {
        var (callers, matrix) = await StartAsync();
        var (thread, message, run) = await ThreadWithRunAsync(callers);

        await ReadListChangeAsync(matrix, "thread", OwnerAndKey, $"/v1/threads/{thread}", "/v1/threads?limit=100", thread,
            HttpMethod.Post, $"/v1/threads/{thread}", () => Matrix.Json("""{"metadata":{"checked":"yes"}}"""));
        await ReadListChangeAsync(matrix, "message", OwnerAndKey, $"/v1/threads/{thread}/messages/{message}",
            $"/v1/threads/{thread}/messages", message,
            HttpMethod.Post, $"/v1/threads/{thread}/messages/{message}", () => Matrix.Json("""{"metadata":{"checked":"yes"}}"""));
        await ReadListChangeAsync(matrix, "run", OwnerAndKey, $"/v1/threads/{thread}/runs/{run}", $"/v1/threads/{thread}/runs", run);

        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectAsync("message", "delete", caller, false, HttpMethod.Delete, $"/v1/threads/{thread}/messages/{message}");
            await matrix.ExpectAsync("thread", "delete", caller, false, HttpMethod.Delete, $"/v1/threads/{thread}");
        }
        foreach (var caller in OwnerAndKey)
        {
            var (other, otherMessage, _) = await ThreadWithRunAsync(callers);
            await matrix.ExpectAsync("message", "delete", caller, true, HttpMethod.Delete, $"/v1/threads/{other}/messages/{otherMessage}");
            await matrix.ExpectAsync("thread", "delete", caller, true, HttpMethod.Delete, $"/v1/threads/{other}");
        }
        Finish(matrix);
    }

    [Fact]
    public async Task AThreadWithoutARunIsSeenOnlyByTheKeyThatMadeItAndTheOwner()
    {
        var (callers, matrix) = await StartAsync();
        var thread = await IdOfAsync(callers[KeyInScope], HttpMethod.Post, "/v1/threads", Matrix.Json("{}"));

        await ReadListChangeAsync(matrix, "unbound thread", OwnerAndKey, $"/v1/threads/{thread}", "/v1/threads?limit=100", thread,
            HttpMethod.Post, $"/v1/threads/{thread}/messages", () => Matrix.Json("""{"role":"user","content":"hello"}"""));
        Finish(matrix);
    }

    [Fact]
    public async Task AnAssistantsDocumentIsReachedByItsOwnerAndItsKeyOnly()
    {
        var (callers, matrix) = await StartAsync();
        var document = await UploadDocumentAsync(callers, callers[Owner]);

        await ReadListChangeAsync(matrix, "document", OwnerAndKey, $"/api/documents/{document}", "/api/documents", document,
            HttpMethod.Put, $"/api/documents/{document}", () => DocumentForm(null, "handbook.txt"));
        await matrix.ExpectAsync("document", "download", Owner, true, HttpMethod.Get, $"/api/documents/{document}/content");
        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectAsync("document", "download", caller, false, HttpMethod.Get, $"/api/documents/{document}/content");
            await matrix.ExpectAsync("document", "delete", caller, false, HttpMethod.Delete, $"/api/documents/{document}");
            await matrix.ExpectAsync("document", "upload", caller, false, HttpMethod.Post, "/api/documents",
                () => DocumentForm(callers.AssistantId, "new.txt"));
        }
        foreach (var caller in OwnerAndKey)
        {
            var doomed = await UploadDocumentAsync(callers, callers[Owner]);
            await matrix.ExpectAsync("document", "delete", caller, true, HttpMethod.Delete, $"/api/documents/{doomed}");
        }
        Finish(matrix);
    }

    [Fact]
    public async Task AFileIsReachedByItsOwnerAndByTheKeyThatUploadedIt()
    {
        var (callers, matrix) = await StartAsync();
        var ownersFile = await UploadFileAsync(callers[Owner]);
        var keysFile = await UploadFileAsync(callers[KeyInScope]);

        await ReadListChangeAsync(matrix, "owner's file", OwnerOnly, $"/v1/files/{ownersFile}", "/v1/files", ownersFile);
        await ReadListChangeAsync(matrix, "key's file", OwnerAndKey, $"/v1/files/{keysFile}", "/v1/files", keysFile);
        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectAsync("key's file", "content", caller, false, HttpMethod.Get, $"/v1/files/{keysFile}/content");
            await matrix.ExpectAsync("key's file", "delete", caller, false, HttpMethod.Delete, $"/v1/files/{keysFile}");
        }
        await matrix.ExpectAsync("owner's file", "delete", KeyInScope, false, HttpMethod.Delete, $"/v1/files/{ownersFile}");
        await matrix.ExpectAsync("key's file", "delete", KeyInScope, true, HttpMethod.Delete, $"/v1/files/{keysFile}");
        await matrix.ExpectAsync("owner's file", "delete", Owner, true, HttpMethod.Delete, $"/v1/files/{ownersFile}");
        Finish(matrix);
    }

    [Fact]
    public async Task IntentsAndTheAnswerCacheOfAnAssistantAreReachedByItsOwnerAndItsKeyOnly()
    {
        var (callers, matrix) = await StartAsync();
        var id = callers.AssistantId;
        var intents = """{"intents":[{"name":"vacation","examples":["how many vacation days","holiday allowance"]},{"name":"pay","examples":["when is payday","salary date"]}]}""";
        using (var put = await callers[Owner].PutAsync(new Uri($"/api/intents/{id}", UriKind.Relative), Matrix.Json(intents)))
        {
            put.EnsureSuccessStatusCode();
        }

        await ReadListChangeAsync(matrix, "intents", OwnerAndKey, $"/api/intents/{id}", "/api/intent-cache/stats", id,
            HttpMethod.Put, $"/api/intents/{id}", () => Matrix.Json(intents));
        foreach (var caller in All)
        {
            var allowed = Matrix.Allows(caller, OwnerAndKey);
            await matrix.ExpectAsync("intents", "classify", caller, allowed, HttpMethod.Post, $"/api/intents/{id}/classify",
                () => Matrix.Json("""{"text":"holiday allowance please"}"""));
            await matrix.ExpectAsync("answer cache", "flush", caller, allowed, HttpMethod.Delete, $"/api/intent-cache/{id}");
        }
        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectAsync("intents", "delete", caller, false, HttpMethod.Delete, $"/api/intents/{id}");
        }
        await matrix.ExpectAsync("intents", "delete", KeyInScope, true, HttpMethod.Delete, $"/api/intents/{id}");
        Finish(matrix);
    }

    [Fact]
    public async Task AChannelChatIsReachedByItsOwnerAndItsKeyOnly()
    {
        var (callers, matrix) = await StartAsync();
        using var posted = await callers[KeyInScope].PostAsJsonAsync("/api/chats/messages", new
        {
            assistant_id = callers.AssistantId,
            channel = new { id = "chan-" + Guid.NewGuid().ToString("N")[..8], service = "whatsapp" },
            username = "dora",
            message = "How many vacation days?",
        });
        posted.EnsureSuccessStatusCode();
        var chat = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chat_id").GetString()!;

        await ReadListChangeAsync(matrix, "channel chat", OwnerAndKey, $"/api/chats/{chat}", "/api/chats", chat,
            HttpMethod.Post, $"/api/chats/{chat}/deactivate");
        foreach (var caller in All)
        {
            await matrix.ExpectAsync("channel chat", "activate", caller, Matrix.Allows(caller, OwnerAndKey), HttpMethod.Post,
                $"/api/chats/{chat}/activate");
        }
        Finish(matrix);
    }

    [Fact]
    public async Task VoiceUsesOnlyTheCallersOwnAssistantsAndShowsTurnsOnlyToThem()
    {
        var (callers, matrix) = await StartAsync();
        foreach (var caller in All)
        {
            var allowed = Matrix.Allows(caller, OwnerAndKey);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/voice/speak", UriKind.Relative))
            {
                Content = Matrix.Json($$"""{"text":"Vacation days are listed in the handbook.","assistant_id":"{{callers.AssistantId}}"}"""),
            };
            using var response = await callers[caller].SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            matrix.Record("voice", "speak with the assistant", caller, allowed, (int)response.StatusCode,
                await response.Content.ReadAsStringAsync());
        }
        await matrix.ExpectListedAsync("voice turns", Owner, true, "/api/voice/turns", callers.AssistantId);
        await matrix.ExpectListedAsync("voice turns", KeyInScope, true, "/api/voice/turns", callers.AssistantId);
        foreach (var caller in All.Except(OwnerAndKey))
        {
            await matrix.ExpectListedAsync("voice turns", caller, false, "/api/voice/turns", callers.AssistantId);
            await matrix.ExpectAsync("voice", "transcribe with the assistant", caller, false, HttpMethod.Post, "/v1/audio/transcriptions",
                () => Recording(callers.AssistantId));
        }
        Finish(matrix);
    }

    [Fact]
    public async Task KeysAreListedAndRevokedByTheirOwnersSessionOnlyAndNeverMadeByAKey()
    {
        var (callers, matrix) = await StartAsync();
        var key = await IdOfAsync(callers[Owner], HttpMethod.Post, "/api/keys",
            Matrix.Json($$"""{"name":"doomed","assistants":["{{callers.AssistantId}}"]}"""));

        await matrix.ExpectListedAsync("key", Owner, true, "/api/keys", key);
        foreach (var caller in All.Except(OwnerOnly))
        {
            await matrix.ExpectListedAsync("key", caller, false, "/api/keys", key);
            // Another user may make keys of their own; a key may not make keys at all.
            await matrix.ExpectAsync("key", "create", caller, caller == OtherUser, HttpMethod.Post, "/api/keys",
                () => Matrix.Json("""{"name":"mine"}"""));
            await matrix.ExpectAsync("key", "revoke", caller, false, HttpMethod.Delete, $"/api/keys/{key}");
        }
        await matrix.ExpectAsync("key", "revoke", Owner, true, HttpMethod.Delete, $"/api/keys/{key}");
        Finish(matrix);
    }

    private async Task<(Callers Callers, Matrix Matrix)> StartAsync()
    {
        var callers = await ForAsync(platform);
        return (callers, new Matrix(callers));
    }

    private void Finish(Matrix matrix)
    {
        output.WriteLine($"{matrix.Cells} cells");
        matrix.AssertAllRight();
    }

    /// <summary>Read, list and (when a change is given) change cells for every caller.</summary>
    private static async Task ReadListChangeAsync(Matrix matrix, string resource, string[] allowed, string item, string list, string id,
        HttpMethod? changeMethod = null, string? change = null, Func<HttpContent>? changeBody = null)
    {
        foreach (var caller in All)
        {
            var may = Matrix.Allows(caller, allowed);
            await matrix.ExpectAsync(resource, "read", caller, may, HttpMethod.Get, item);
            await matrix.ExpectListedAsync(resource, caller, may, list, id);
            if (changeMethod is not null && change is not null)
            {
                await matrix.ExpectAsync(resource, "change", caller, may, changeMethod, change, changeBody);
            }
        }
    }

    private static async Task<(string Thread, string Message, string Run)> ThreadWithRunAsync(Callers callers)
    {
        var owner = callers[Owner];
        var thread = await IdOfAsync(owner, HttpMethod.Post, "/v1/threads",
            Matrix.Json("""{"messages":[{"role":"user","content":"How many vacation days?"}]}"""));
        using var messages = await owner.GetAsync(new Uri($"/v1/threads/{thread}/messages", UriKind.Relative));
        var message = (await messages.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var run = await IdOfAsync(owner, HttpMethod.Post, $"/v1/threads/{thread}/runs",
            Matrix.Json($$"""{"assistant_id":"{{callers.AssistantId}}"}"""));
        await Wait.UntilAsync(async () =>
        {
            using var polled = await owner.GetAsync(new Uri($"/v1/threads/{thread}/runs/{run}", UriKind.Relative));
            return (await polled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() is "completed" or "failed";
        }, TimeSpan.FromSeconds(60), "the run to finish");
        return (thread, message, run);
    }

    private static async Task<string> UploadDocumentAsync(Callers callers, HttpClient client) =>
        await IdOfAsync(client, HttpMethod.Post, "/api/documents", DocumentForm(callers.AssistantId, "handbook.txt"));

    private static async Task<string> UploadFileAsync(HttpClient client)
    {
        var form = new MultipartFormDataContent { { new StringContent("assistants"), "purpose" } };
        form.Add(new ByteArrayContent("notes"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "file", "notes.txt");
        return await IdOfAsync(client, HttpMethod.Post, "/v1/files", form);
    }

    private static MultipartFormDataContent DocumentForm(string? assistantId, string filename)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("Employees get 27 vacation days per year."u8.ToArray())
        {
            Headers = { ContentType = new MediaTypeHeaderValue("text/plain") },
        }, "file", filename);
        form.Add(new StringContent("rag"), "type");
        if (assistantId is not null)
        {
            form.Add(new StringContent(assistantId), "assistant_id");
        }
        return form;
    }

    /// <summary>Half a second of silence as a WAV file.</summary>
    private static MultipartFormDataContent Recording(string assistantId)
    {
        const int rate = 16_000;
        var samples = new byte[rate];
        using var wav = new MemoryStream();
        using (var writer = new BinaryWriter(wav, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            writer.Write("RIFF"u8);
            writer.Write(36 + samples.Length);
            writer.Write("WAVEfmt "u8);
            writer.Write(16);
            writer.Write((short)1);
            writer.Write((short)1);
            writer.Write(rate);
            writer.Write(rate * 2);
            writer.Write((short)2);
            writer.Write((short)16);
            writer.Write("data"u8);
            writer.Write(samples.Length);
            writer.Write(samples);
        }
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(wav.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("audio/wav") } }, "file", "q.wav");
        form.Add(new StringContent(assistantId), "model");
        return form;
    }

    private static async Task<string> IdOfAsync(HttpClient client, HttpMethod method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }
}
