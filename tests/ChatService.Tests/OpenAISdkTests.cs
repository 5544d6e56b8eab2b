using System.ClientModel;
using System.Text.Json;
using OpenAI.Assistants;
using OpenAI.Chat;

namespace ChatService.Tests;

/// <summary>The official OpenAI .NET SDK 2.15.0 against the service, with only the base URL changed.</summary>
public sealed class OpenAISdkTests
{
    private const string Handbook = "Employees get 25 holiday days a year. Holidays must be booked two weeks ahead.";

    [Fact]
    public async Task ChatClientGetsTheSameAnswerStreamedAndNotFromAnAssistantsKnowledge()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.txt", Handbook));
        await using var factory = TestSupport.Service().WithDocuments(documents);
        var assistantId = await factory.Client("usr_sdk1").CreateAssistantAsync();
        var chat = factory.Sdk("usr_sdk1").GetChatClient(assistantId);

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("How many holiday days do employees get?")]);
        var streamed = new System.Text.StringBuilder();
        var updates = 0;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("How many holiday days do employees get?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
                updates++;
            }
            usage ??= update.Usage;
        }

        var answer = completion.Content[0].Text;
        Assert.Contains("25 holiday days", answer);
        Assert.Contains("handbook.txt", answer);
        Assert.Equal(answer, streamed.ToString());
        Assert.True(updates > 3, $"the answer came in {updates} pieces, not word by word");
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0 && completion.Usage.OutputTokenCount > 0);
        Assert.NotNull(usage);
        Assert.Equal(completion.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task AssistantClientCreatesAnAssistantThreadMessageAndPollsARunToItsAnswer()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.txt", Handbook));
        await using var factory = TestSupport.Service().WithDocuments(documents);
        var client = factory.Sdk("usr_sdk2").GetAssistantClient();

        Assistant assistant = await client.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions
        {
            Name = "HR bot",
            Instructions = "Answer from the handbook.",
            Metadata = { ["team"] = "hr" },
        });
        AssistantThread thread = await client.CreateThreadAsync();
        await client.CreateMessageAsync(thread.Id, MessageRole.User, [MessageContent.FromText("How far ahead must holidays be booked?")]);
        ThreadRun run = await client.CreateRunAsync(thread.Id, assistant.Id);
        Assert.Equal(RunStatus.Queued, run.Status);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!run.Status.IsTerminal && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            run = await client.GetRunAsync(thread.Id, run.Id);
        }

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.True(run.Usage.InputTokenCount > 0 && run.Usage.OutputTokenCount > 0);
        var messages = new List<ThreadMessage>();
        await foreach (var message in client.GetMessagesAsync(thread.Id, new MessageCollectionOptions { Order = MessageCollectionOrder.Ascending }))
        {
            messages.Add(message);
        }
        Assert.Equal(2, messages.Count);
        Assert.Equal(MessageRole.User, messages[0].Role);
        Assert.Equal(MessageRole.Assistant, messages[1].Role);
        Assert.Equal(run.Id, messages[1].RunId);
        Assert.Contains("two weeks ahead", messages[1].Content[0].Text);
        Assert.Equal("hr", (await client.GetAssistantAsync(assistant.Id)).Value.Metadata["team"]);
    }

    [Fact]
    public async Task AssistantClientStreamsARunWithOpenAIsEvents()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.txt", Handbook));
        await using var factory = TestSupport.Service().WithDocuments(documents);
        var client = factory.Sdk("usr_sdk3").GetAssistantClient();
        Assistant assistant = await client.CreateAssistantAsync("gpt-4o-mini", new AssistantCreationOptions { Instructions = "Answer from the handbook." });
        AssistantThread thread = await client.CreateThreadAsync(new ThreadCreationOptions
        {
            InitialMessages = { new ThreadInitializationMessage(MessageRole.User, [MessageContent.FromText("How many holiday days do employees get?")]) },
        });

        var kinds = new List<StreamingUpdateReason>();
        var text = new System.Text.StringBuilder();
        ThreadRun? finalRun = null;
        await foreach (var update in await client.CreateRunStreamingAsync(thread.Id, assistant.Id))
        {
            kinds.Add(update.UpdateKind);
            if (update is MessageContentUpdate content)
            {
                text.Append(content.Text);
            }
            if (update is RunUpdate { UpdateKind: StreamingUpdateReason.RunCompleted } completed)
            {
                finalRun = completed.Value;
            }
        }

        Assert.Equal(
            [StreamingUpdateReason.RunCreated, StreamingUpdateReason.RunQueued, StreamingUpdateReason.RunInProgress,
             StreamingUpdateReason.RunStepCreated, StreamingUpdateReason.RunStepInProgress,
             StreamingUpdateReason.MessageCreated, StreamingUpdateReason.MessageInProgress],
            kinds.Take(7));
        Assert.Contains(StreamingUpdateReason.MessageUpdated, kinds);
        Assert.Equal([StreamingUpdateReason.MessageCompleted, StreamingUpdateReason.RunStepCompleted, StreamingUpdateReason.RunCompleted], kinds[^3..]);
        Assert.Contains("25 holiday days", text.ToString());
        Assert.NotNull(finalRun);
        Assert.True(finalRun.Usage.OutputTokenCount > 0);

        var stored = new List<ThreadMessage>();
        await foreach (var message in client.GetMessagesAsync(thread.Id))
        {
            stored.Add(message);
        }
        Assert.Equal(text.ToString(), stored[0].Content[0].Text);
    }

    [Fact]
    public async Task AssistantClientCreatesAThreadAndRunInOneCallAndModifiesAndDeletesMessages()
    {
        await using var documents = await TestSupport.DocumentsAsync(() => "v1", ("handbook.txt", Handbook));
        await using var factory = TestSupport.Service().WithDocuments(documents);
        var client = factory.Sdk("usr_sdk5").GetAssistantClient();
        Assistant assistant = await client.CreateAssistantAsync("gpt-4o-mini");

        ThreadRun run = await client.CreateThreadAndRunAsync(assistant.Id, new ThreadCreationOptions
        {
            InitialMessages = { new ThreadInitializationMessage(MessageRole.User, [MessageContent.FromText("How many holiday days?")]) },
        });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!run.Status.IsTerminal && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            run = await client.GetRunAsync(run.ThreadId, run.Id);
        }
        var messages = new List<ThreadMessage>();
        await foreach (var message in client.GetMessagesAsync(run.ThreadId, new MessageCollectionOptions { Order = MessageCollectionOrder.Ascending }))
        {
            messages.Add(message);
        }
        ThreadMessage modified = await client.ModifyMessageAsync(run.ThreadId, messages[0].Id, new MessageModificationOptions { Metadata = { ["seen"] = "yes" } });
        MessageDeletionResult deleted = await client.DeleteMessageAsync(run.ThreadId, messages[0].Id);
        var remaining = 0;
        await foreach (var _ in client.GetMessagesAsync(run.ThreadId))
        {
            remaining++;
        }

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Contains("25 holiday days", messages[1].Content[0].Text);
        Assert.Equal("yes", modified.Metadata["seen"]);
        Assert.True(deleted.Deleted);
        Assert.Equal(1, remaining);
    }

    [Fact]
    public async Task ChatClientCallsAFunctionStreamedAndNotAndAnswersWithItsOutput()
    {
        await using var factory = TestSupport.Service();
        var chat = factory.Sdk("usr_sdk_tools").GetChatClient("gpt-4o-mini");
        var weather = ChatTool.CreateFunctionTool("get_weather", "Weather of a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { weather }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Oslo?")];

        ChatCompletion completion = await chat.CompleteChatAsync(messages, options);
        var streamedIds = new List<string>();
        var streamedArguments = new System.Text.StringBuilder();
        ChatFinishReason? streamedFinish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (part.ToolCallId is { } callId)
                {
                    streamedIds.Add(callId);
                }
                streamedArguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }
            streamedFinish ??= update.FinishReason;
        }
        var call = Assert.Single(completion.ToolCalls);
        messages.Add(new AssistantChatMessage(completion));
        messages.Add(new ToolChatMessage(call.Id, "Rain, 12 degrees"));
        ChatCompletion answer = await chat.CompleteChatAsync(messages, new ChatCompletionOptions { Tools = { weather } });

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Weather in Oslo?", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        // One call streamed in parts under one id, and every call an id of its own, as a model's are.
        Assert.StartsWith("call_", Assert.Single(streamedIds), StringComparison.Ordinal);
        Assert.NotEqual(call.Id, streamedIds[0]);
        Assert.Equal(call.FunctionArguments.ToString(), streamedArguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, streamedFinish);
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        Assert.Empty(answer.ToolCalls);
        Assert.Equal("The function get_weather returned: Rain, 12 degrees", answer.Content[0].Text);
    }

    [Fact]
    public async Task UnknownAssistantIsA404InOpenAIsErrorShapeThroughTheSdk()
    {
        await using var factory = TestSupport.Service();
        var client = factory.Sdk("usr_sdk4").GetAssistantClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetAssistantAsync("asst_missing"));

        Assert.Equal(404, error.Status);
        Assert.Contains("No assistant found with id 'asst_missing'", error.Message);
    }
}
