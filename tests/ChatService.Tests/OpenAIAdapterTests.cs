using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatService.Tests;

/// <summary>The OpenAI adapter against a scripted OpenAI-compatible server standing in for the model.</summary>
public sealed class OpenAIAdapterTests
{
    [Fact]
    public async Task StreamedCompletionRelaysTheModelsChunksAndItsUsage()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
            TestSupport.WriteCompletionStreamAsync(context, 42, "Hello", " from", " upstream"));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_ad1");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "llama3",
            stream = true,
            stream_options = new { include_usage = true },
            messages = new object[]
            {
                new { role = "system", content = "Be brief." },
                new { role = "user", content = "Say hello" },
            },
        });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("miss", response.Headers.GetValues("X-Cache").Single());
        var lines = TestSupport.SseLines(body);
        var chunks = lines.Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement).ToList();
        var text = string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));
        Assert.Equal("Hello from upstream", text);
        Assert.All(chunks, c => Assert.Equal("llama3", c.GetProperty("model").GetString()));
        Assert.Equal("stop", chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Last().GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(42, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(": usage {\"prompt_tokens\":42,\"completion_tokens\":3,\"total_tokens\":45}", lines[^2]);
        Assert.Equal("data: [DONE]", lines[^1]);

        var upstream = JsonNode.Parse(model.Requests.Single().Body)!;
        Assert.Equal("/v1/chat/completions", model.Requests.Single().PathAndQuery);
        Assert.Equal("Bearer test-key", model.Requests.Single().Headers["Authorization"]);
        Assert.False(model.Requests.Single().Headers.ContainsKey("X-Caller-Identity"));
        Assert.Equal("llama3", upstream["model"]!.GetValue<string>());
        Assert.True(upstream["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("system", upstream["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Contains("Be brief.", upstream["messages"]![0]!["content"]!.ToJsonString());
        Assert.Contains("Say hello", upstream["messages"]![1]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task CompletionWithoutStreamCarriesTheModelsUsageInBodyAndHeader()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
            TestSupport.WriteCompletionAsync(context, "Plain answer", 17, 2));
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_ad2");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new[] { new { role = "user", content = "Hi" } },
        });
        var json = await response.JsonAsync();

        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        Assert.Equal("Plain answer", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(19, json.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal("17,2", response.Headers.GetValues("X-Usage-Tokens").Single());
        Assert.False(TestSupport.IsStreamRequest(model.Requests.Single()));
    }

    [Fact]
    public async Task A429FromTheModelIsRetriedBeforeTheFirstTokenAndTheAnswerStillStreams()
    {
        var calls = 0;
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "0";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "slow down", type = "rate_limit_exceeded" } });
                return;
            }
            await TestSupport.WriteCompletionStreamAsync(context, 5, "Second", " time");
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_ad3");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            stream = true,
            messages = new[] { new { role = "user", content = "Hi" } },
        });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, model.Requests.Count);
        Assert.Contains("\"content\":\"Second\"", body);
        Assert.Contains("\"content\":\" time\"", body);
        Assert.Equal(1, body.Split("\"role\":\"assistant\"").Length - 1);
    }

    [Fact]
    public async Task AModelThatKeepsFailingIsA502InOpenAIsErrorBodyAfterTheRetries()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var factory = TestSupport.Service().WithModel(model).With("Chat:ProviderRetries", "2");
        using var client = factory.Client("usr_ad4");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            stream = true,
            messages = new[] { new { role = "user", content = "Hi" } },
        });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(3, model.Requests.Count);
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AModelNobodyListensOnIsA502SayingItCouldNotBeReached()
    {
        await using var factory = TestSupport.Service()
            .With("ConnectionStrings:openai", $"Endpoint=http://127.0.0.1:{FreePort.Next()}/v1;Key=test-key;Model=m")
            .With("Chat:ProviderRetries", "0");
        using var client = factory.Client("usr_ad_unreachable");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("The model provider could not be reached.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AModelsOwn429PassesItsRetryAfterOnToTheClient()
    {
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "7";
            await context.Response.WriteAsJsonAsync(new { error = new { message = "slow down", type = "rate_limit_exceeded" } });
        });
        await using var factory = TestSupport.Service().WithModel(model).With("Chat:ProviderRetries", "0");
        using var client = factory.Client("usr_ad_retry_after");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("Endpoint=localhost:11434;Key=k")]
    [InlineData("Endpoint=ftp://models.example/v1;Key=k")]
    public void AnEndpointThatIsNoHttpUrlStopsTheStartNamingIt(string connection)
    {
        using var factory = TestSupport.Service().With("ConnectionStrings:openai", connection);

        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("is not an http(s) URL", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProviderCanBeConfiguredWithOpenAIsEnvironmentVariables()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "from env", 1, 2));
        await using var factory = TestSupport.Service()
            .With("OPENAI_BASE_URL", new Uri(model.Url, "/v1").ToString())
            .With("OPENAI_API_KEY", "env-key");
        using var client = factory.Client("usr_env");

        var models = await (await client.GetAsync("/v1/models")).JsonAsync();
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "qwen2", messages = new[] { new { role = "user", content = "Hi" } },
        });
        var json = await response.JsonAsync();

        Assert.Equal("from env", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("Bearer env-key", model.Requests.Single().Headers["Authorization"]);
        Assert.Equal("qwen2", JsonNode.Parse(model.Requests.Single().Body)!["model"]!.GetValue<string>());
        Assert.Equal("gpt-4o-mini", models.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task AModelOverrideServesEveryAssistantWithTheLocalServersModel()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context => TestSupport.WriteCompletionAsync(context, "local", 1, 1));
        await using var factory = TestSupport.Service().WithModel(model).With("Chat:ModelOverride", "llama3.2");
        using var client = factory.Client("usr_override");
        var assistantId = await client.CreateAssistantAsync();

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = assistantId, messages = new[] { new { role = "user", content = "Hi" } },
        });
        var json = await response.JsonAsync();

        Assert.Equal("llama3.2", JsonNode.Parse(model.Requests.Single().Body)!["model"]!.GetValue<string>());
        Assert.Equal(assistantId, json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ABadRequestFromTheModelIsNotRetriedAndIsTheClientsBadRequest()
    {
        await using var model = await ScriptedHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 400;
            return Task.CompletedTask;
        });
        await using var factory = TestSupport.Service().WithModel(model);
        using var client = factory.Client("usr_ad5");

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini",
            messages = new[] { new { role = "user", content = "Hi" } },
        });

        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(model.Requests);
        Assert.Equal("The model refused the request (status 400).", error.GetProperty("message").GetString());
        Assert.Equal("upstream_refused", error.GetProperty("code").GetString());
    }
}
