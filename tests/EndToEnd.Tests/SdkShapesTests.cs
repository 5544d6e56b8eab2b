using System.Text.Json;
using EndToEnd.Tests.Responses;

namespace EndToEnd.Tests;

/// <summary>
/// Every /v1 route's JSON, read through the gateway, against the TypeScript types of the openai npm package
/// (OpenAINode/shapes.mjs has the TypeScript compiler check each answer): required fields, types, nullability, enum
/// values and `object` discriminators as the official SDK declares them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SdkShapesTests(Platform platform)
{
    [Fact]
    public async Task EveryV1AnswerIsWhatTheOpenAIPackagesTypesDeclare()
    {
        var (http, token) = await platform.NewUserAsync("shapes");
        using var _ = http;

        var result = await NodeSdk.RunScriptAsync(platform.Gateway, token, ["shapes.mjs"]);

        var captured = result.GetProperty("captures").EnumerateArray().Select(c => c.GetString()!).ToList();
        var errors = result.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("capture").GetString()}: {e.GetProperty("message").GetString()}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => e.Length > 1200 ? e[..1200] : e)));
        // The routes are all there, streams included, so a route that stopped answering cannot pass by being skipped.
        Assert.All(
            ["models.list", "chat.create", "chat.stream#1", "embeddings", "files.create", "vector_stores.search", "vector_stores.files.content",
             "vector_stores.file_batches.files", "assistants.create", "threads.create", "messages.list", "runs.get", "runs.steps.get",
             "runs.stream#1", "runs.submit_tool_outputs.stream#1", "runs.cancel", "runs.get.incomplete", "responses.create", "responses.stream#1",
             "responses.input_items", "responses.input_tokens", "responses.compact", "responses.create.compacted", "conversations.items.list", "audio.transcriptions.verbose_json", "errors.invalid_param", "assistants.delete"],
            name => Assert.Contains(captured, c => c == name || c.StartsWith(name + ":", StringComparison.Ordinal)));
        Assert.True(captured.Count > 150, $"{captured.Count} answers read");
    }
}
