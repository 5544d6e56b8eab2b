using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Assistants;
using OpenAI.Chat;
using OpenAI.Files;
using OpenAI.VectorStores;

namespace EndToEnd.Tests;

/// <summary>
/// Vector stores, file_search and function tools through the gateway, with the official .NET SDK and the openai npm
/// package (run by node from VectorStoresNode/, installed by test.sh), unchanged but for the base URL; on the
/// embedded SQLite platform and on PostgreSQL.
/// </summary>
public abstract class VectorStoresTests(Platform platform)
{
    private static readonly string NodeClient = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "VectorStoresNode");

    private OpenAIClient Sdk(string token) => new(new ApiKeyCredential(token), new OpenAIClientOptions { Endpoint = new Uri(platform.Gateway, "/v1") });

    [Fact]
    public async Task TheNpmClientManagesAStoreItsFilesAndBatchesAndSearchesIt()
    {
        var (_, token) = await platform.NewUserAsync("npm");
        Assert.True(Directory.Exists(Path.Combine(NodeClient, "node_modules", "openai")), $"Run ./test.sh, or npm ci in {NodeClient}");

        var seen = await RunNodeAsync(token);
        var files = seen.GetProperty("files");
        string File(string name) => files.GetProperty(name).GetString()!;

        Assert.Equal("completed", seen.GetProperty("attached").GetProperty("status").GetString());
        Assert.Equal("travel", seen.GetProperty("attached").GetProperty("attributes").GetProperty("topic").GetString());
        Assert.Equal("completed", seen.GetProperty("uploaded").GetProperty("status").GetString());
        Assert.Equal("completed", seen.GetProperty("batch").GetProperty("status").GetString());
        Assert.Equal(2, seen.GetProperty("batch").GetProperty("file_counts").GetProperty("completed").GetInt32());
        Assert.Equal(seen.GetProperty("batch").GetProperty("id").GetString(), seen.GetProperty("batchAgain").GetProperty("id").GetString());
        Assert.Equal("completed", seen.GetProperty("cancelled").GetProperty("status").GetString());
        Assert.Equal(new[] { File("laptop"), File("canteen") }.Order(), seen.GetProperty("batchFiles").EnumerateArray().Select(f => f.GetString()!).Order());
        Assert.Equal(4, seen.GetProperty("completed").GetArrayLength());
        Assert.Equal("it", seen.GetProperty("fileAgain").GetProperty("attributes").GetProperty("topic").GetString());
        // A paraphrase with none of the file's words finds it first.
        Assert.Equal(File("laptop"), seen.GetProperty("paraphrase")[0].GetProperty("file_id").GetString());
        Assert.Equal("laptops.md", seen.GetProperty("paraphrase")[0].GetProperty("filename").GetString());
        Assert.Equal([File("canteen")], seen.GetProperty("filtered").EnumerateArray().Select(r => r.GetProperty("file_id").GetString()!).Distinct());
        Assert.Contains("travel desk", seen.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("Handbook 2026", seen.GetProperty("renamed").GetProperty("name").GetString());
        var described = seen.GetProperty("described");
        Assert.Equal(4, described.GetProperty("file_counts").GetProperty("total").GetInt32());
        Assert.Equal(30, described.GetProperty("expires_after").GetProperty("days").GetInt32());
        Assert.Equal([described.GetProperty("id").GetString()!], seen.GetProperty("listed").EnumerateArray().Select(s => s.GetString()!));
        Assert.True(seen.GetProperty("removed").GetProperty("deleted").GetBoolean());
        Assert.Equal(3, seen.GetProperty("afterRemoval").GetProperty("file_counts").GetProperty("total").GetInt32());
        Assert.True(seen.GetProperty("afterRemoval").GetProperty("usage_bytes").GetInt64() < described.GetProperty("usage_bytes").GetInt64());
        Assert.Equal(404, seen.GetProperty("missing").GetProperty("status").GetInt32());
        foreach (var bad in new[] { "badSearch", "badFilter" })
        {
            Assert.Equal(400, seen.GetProperty(bad).GetProperty("status").GetInt32());
            Assert.Equal("invalid_request_error", seen.GetProperty(bad).GetProperty("type").GetString());
        }
        Assert.True(seen.GetProperty("deleted").GetProperty("deleted").GetBoolean());
        Assert.Equal(404, seen.GetProperty("gone").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AnSdkAssistantWithFileSearchCitesTheStoresFileAndShowsItsSteps()
    {
        var (client, token) = await platform.NewUserAsync("sdkfs");
        var sdk = Sdk(token);
        var stores = sdk.GetVectorStoreClient();
        OpenAIFile file = await sdk.GetOpenAIFileClient().UploadFileAsync(
            BinaryData.FromString("Parental leave. New parents receive 16 weeks of paid parental leave, to be taken within the first year."),
            "parental.md", FileUploadPurpose.Assistants);
        VectorStore store = await stores.CreateVectorStoreAsync(new VectorStoreCreationOptions { Name = "Benefits", FileIds = { file.Id } });
        VectorStore described = await stores.GetVectorStoreAsync(store.Id);
        VectorStoreFile stored = await stores.GetVectorStoreFileAsync(store.Id, file.Id);

        var assistants = sdk.GetAssistantClient();
        Assistant assistant = await assistants.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions
        {
            Instructions = "Answer from the benefits documents.",
            Tools = { new FileSearchToolDefinition() },
            ToolResources = new ToolResources { FileSearch = new FileSearchToolResources { VectorStoreIds = { store.Id } } },
        });
        AssistantThread thread = await assistants.CreateThreadAsync(new ThreadCreationOptions
        {
            InitialMessages = { new ThreadInitializationMessage(MessageRole.User, ["How many weeks of paid parental leave do new parents get?"]) },
        });
        ThreadRun run = await assistants.CreateRunAsync(thread.Id, assistant.Id);
        run = await UntilDoneAsync(assistants, run);
        var answer = await LatestMessageAsync(assistants, thread.Id);
        var steps = new List<RunStep>();
        await foreach (var step in assistants.GetRunStepsAsync(thread.Id, run.Id, new RunStepCollectionOptions { Order = RunStepCollectionOrder.Ascending }))
        {
            steps.Add(step);
        }
        using var withContent = await client.GetAsync(new Uri(
            $"/v1/threads/{thread.Id}/runs/{run.Id}/steps/{steps[0].Id}?include[]=step_details.tool_calls[*].file_search.results[*].content", UriKind.Relative));
        var rawStep = JsonDocument.Parse(await withContent.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, described.FileCounts.Completed);
        Assert.True(described.UsageBytes > 0);
        Assert.Equal(VectorStoreFileStatus.Completed, stored.Status);
        Assert.Equal([$"vs_{assistant.Id}", store.Id], assistant.ToolResources.FileSearch.VectorStoreIds);
        Assert.Equal(RunStatus.Completed, run.Status);
        var text = answer.Content[0];
        Assert.Contains("16 weeks", text.Text, StringComparison.Ordinal);
        Assert.NotEmpty(text.TextAnnotations);
        Assert.All(text.TextAnnotations, citation =>
        {
            Assert.Equal(file.Id, citation.InputFileId);
            Assert.Equal(citation.TextToReplace, text.Text[citation.StartIndex..citation.EndIndex]);
        });
        Assert.Equal(2, steps.Count);
        Assert.Equal(RunStepKind.ToolCall, steps[0].Kind);
        Assert.Equal(file.Id, Assert.Single(steps[0].Details.ToolCalls[0].FileSearchResults).FileId);
        Assert.Equal(RunStepKind.CreatedMessage, steps[1].Kind);
        Assert.Equal(answer.Id, steps[1].Details.CreatedMessageId);
        Assert.Contains("16 weeks", rawStep.GetProperty("step_details").GetProperty("tool_calls")[0].GetProperty("file_search")
            .GetProperty("results")[0].GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnSdkAssistantsStoreAnswersEveryWayOfAskingItAndAQuestionLongerThanASearchStillFindsIt()
    {
        var (client, token) = await platform.NewUserAsync("everyway");
        var sdk = Sdk(token);
        OpenAIFile file = await sdk.GetOpenAIFileClient().UploadFileAsync(
            BinaryData.FromString("Sick leave. Employees receive 12 days of paid sick leave each year."), "sick.md", FileUploadPurpose.Assistants);
        VectorStore store = await sdk.GetVectorStoreClient().CreateVectorStoreAsync(new VectorStoreCreationOptions { FileIds = { file.Id } });
        var assistants = sdk.GetAssistantClient();
        Assistant assistant = await assistants.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions
        {
            Instructions = "Answer from the leave policy.",
            Tools = { new FileSearchToolDefinition() },
            ToolResources = new ToolResources { FileSearch = new FileSearchToolResources { VectorStoreIds = { store.Id } } },
        });
        const string Question = "How many days of paid sick leave do employees get?";

        ChatCompletion completion = await sdk.GetChatClient(assistant.Id).CompleteChatAsync([new UserChatMessage(Question)]);
        using var asked = await client.PostAsync(new Uri($"/api/ask?assistant_id={assistant.Id}", UriKind.Relative),
            new StringContent(Question, Encoding.UTF8, "text/plain"));
        using var channel = await client.PostAsJsonAsync(new Uri("/api/chats/messages", UriKind.Relative),
            new { assistant_id = assistant.Id, channel = new { service = "slack", id = "C-everyway" }, message = Question });
        // Longer than document-service takes as a search query (8,000 characters): the run's search once failed it.
        var pasted = string.Concat(Enumerable.Repeat("Please read all of this pasted text before answering. ", 200)) + Question;
        AssistantThread thread = await assistants.CreateThreadAsync(new ThreadCreationOptions
        {
            InitialMessages = { new ThreadInitializationMessage(MessageRole.User, [pasted]) },
        });
        ThreadRun run = await UntilDoneAsync(assistants, await assistants.CreateRunAsync(thread.Id, assistant.Id));

        Assert.Contains("12 days", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("12 days", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, channel.StatusCode);
        Assert.Contains("12 days", await channel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Contains("12 days", (await LatestMessageAsync(assistants, thread.Id)).Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnSdkFunctionToolStopsTheRunForItsOutputStreamedAndNot()
    {
        var (_, token) = await platform.NewUserAsync("sdkfn");
        var assistants = Sdk(token).GetAssistantClient();
        Assistant assistant = await assistants.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions
        {
            Tools =
            {
                new FunctionToolDefinition("lookup_order")
                {
                    Description = "Finds an order by its number",
                    Parameters = BinaryData.FromString("""{"type":"object","properties":{"number":{"type":"string"}},"required":["number"]}"""),
                },
            },
        });
        AssistantThread thread = await assistants.CreateThreadAsync(new ThreadCreationOptions
        {
            InitialMessages = { new ThreadInitializationMessage(MessageRole.User, ["Where is order 4411?"]) },
        });

        ThreadRun run = await assistants.CreateRunAsync(thread.Id, assistant.Id, new RunCreationOptions { ToolConstraint = ToolConstraint.Required });
        run = await UntilDoneAsync(assistants, run);
        var action = Assert.Single(run.RequiredActions);
        run = await assistants.SubmitToolOutputsToRunAsync(thread.Id, run.Id, [new ToolOutput(action.ToolCallId, "shipped on Monday")]);
        run = await UntilDoneAsync(assistants, run);
        var first = await LatestMessageAsync(assistants, thread.Id);

        await assistants.CreateMessageAsync(thread.Id, MessageRole.User, ["And order 5522?"]);
        var updates = new List<StreamingUpdate>();
        await foreach (var update in await assistants.CreateRunStreamingAsync(thread.Id, assistant.Id, new RunCreationOptions { ToolConstraint = ToolConstraint.Required }))
        {
            updates.Add(update);
        }
        var waiting = updates.OfType<RequiredActionUpdate>().Single();
        var text = new StringBuilder();
        ThreadRun? streamedRun = null;
        await foreach (var update in await assistants.SubmitToolOutputsToRunStreamingAsync(thread.Id, waiting.Value.Id, [new ToolOutput(waiting.ToolCallId, "lost in transit")]))
        {
            if (update is MessageContentUpdate content)
            {
                text.Append(content.Text);
            }
            if (update is RunUpdate { UpdateKind: StreamingUpdateReason.RunCompleted } completed)
            {
                streamedRun = completed.Value;
            }
        }

        Assert.Equal("lookup_order", action.FunctionName);
        Assert.Contains("Where is order 4411?", action.FunctionArguments, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal("The function lookup_order returned: shipped on Monday", first.Content[0].Text);
        Assert.Equal("lookup_order", waiting.FunctionName);
        Assert.Equal("The function lookup_order returned: lost in transit", text.ToString());
        Assert.NotNull(streamedRun);
    }

    [Fact]
    public async Task AnotherTenantOrAnotherAssistantsKeyFindsNoStore()
    {
        var (owner, ownerToken) = await platform.NewUserAsync("vsowner");
        var (stranger, _) = await platform.NewUserAsync("vsstranger");
        var stores = Sdk(ownerToken).GetVectorStoreClient();
        VectorStore store = await stores.CreateVectorStoreAsync(new VectorStoreCreationOptions { Name = "Private" });
        Assistant mine = await Sdk(ownerToken).GetAssistantClient().CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions { Name = "Mine" });
        using var keyCreated = await owner.PostAsJsonAsync("/api/keys", new { name = "bot", assistants = new[] { mine.Id } });
        var key = (await keyCreated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var bot = platform.Anonymous();
        bot.DefaultRequestHeaders.Add("X-API-Key", key);

        using var strangerGet = await stranger.GetAsync(new Uri($"/v1/vector_stores/{store.Id}", UriKind.Relative));
        using var strangerSearch = await stranger.PostAsJsonAsync(new Uri($"/v1/vector_stores/{store.Id}/search", UriKind.Relative), new { query = "x" });
        using var strangerAssistantStore = await stranger.GetAsync(new Uri($"/v1/vector_stores/vs_{mine.Id}", UriKind.Relative));
        using var keyGet = await bot.GetAsync(new Uri($"/v1/vector_stores/{store.Id}", UriKind.Relative));
        using var keyOwnAssistantStore = await bot.GetAsync(new Uri($"/v1/vector_stores/vs_{mine.Id}", UriKind.Relative));

        foreach (var refused in new[] { strangerGet, strangerSearch, strangerAssistantStore, keyGet })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("invalid_request_error", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, keyOwnAssistantStore.StatusCode);
    }

    private static async Task<ThreadRun> UntilDoneAsync(AssistantClient assistants, ThreadRun run)
    {
        var clock = Stopwatch.StartNew();
        while (!run.Status.IsTerminal && run.Status != RunStatus.RequiresAction && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            run = await assistants.GetRunAsync(run.ThreadId, run.Id);
        }
        return run;
    }

    private static async Task<ThreadMessage> LatestMessageAsync(AssistantClient assistants, string threadId)
    {
        await foreach (var message in assistants.GetMessagesAsync(threadId, new MessageCollectionOptions { Order = MessageCollectionOrder.Descending }))
        {
            return message;
        }
        throw new InvalidOperationException("The thread has no messages.");
    }

    private async Task<JsonElement> RunNodeAsync(string token)
    {
        var start = new ProcessStartInfo("node", Path.Combine(NodeClient, "vector-stores.mjs"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = NodeClient,
            Environment = { ["OPENAI_BASE_URL"] = new Uri(platform.Gateway, "/v1").ToString(), ["OPENAI_API_KEY"] = token },
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(node.ExitCode == 0, $"node failed: {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}

[Collection(PlatformCollection.Name)]
public sealed class VectorStoresOnSqliteTests(Platform platform) : VectorStoresTests(platform);

[Collection(PostgresPlatformCollection.Name)]
public sealed class VectorStoresOnPostgresTests(PostgresPlatform platform) : VectorStoresTests(platform)
{
    [Fact]
    public async Task DocumentServiceKeepsItsStoresInPostgreSql() =>
        Assert.StartsWith("Host=", await platform.ConnectionStringAsync("docsdb"));
}
