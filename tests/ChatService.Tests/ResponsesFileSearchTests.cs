using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatService.Tests;

/// <summary>file_search in /v1/responses over a stand-in document-service answering OpenAI's vector store search.</summary>
public sealed class ResponsesFileSearchTests
{
    private static Task<ScriptedHttpServer> StoresAsync() => ScriptedHttpServer.StartAsync(async context =>
    {
        if (!context.Request.Path.StartsWithSegments("/v1/vector_stores/vs_benefits"))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "No vector store found with id 'vs_other'.", type = "invalid_request_error" } });
            return;
        }
        await context.Response.WriteAsJsonAsync(new
        {
            @object = "vector_store.search_results.page",
            data = new[]
            {
                new
                {
                    file_id = "file_parental", filename = "parental.md", score = 0.9, attributes = new { topic = "leave" },
                    content = new[] { new { type = "text", text = "New parents receive 16 weeks of paid parental leave." } },
                },
            },
            has_more = false,
        });
    });

    [Fact]
    public async Task AFileSearchToolSearchesFirstAndTheAnswerCitesWhatItFound()
    {
        await using var stores = await StoresAsync();
        await using var service = TestSupport.Service().WithDocuments(stores);
        using var http = service.Client("usr_file_search");
        using var response = await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini",
            input = "How many weeks of parental leave do new parents get?",
            tools = new[] { new { type = "file_search", vector_store_ids = new[] { "vs_benefits" } } },
            include = new[] { "file_search_call.results" },
            stream = true,
        });
        var events = TestSupport.SseLines(await response.Content.ReadAsStringAsync())
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone()).ToList();
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        var final = events[^1].GetProperty("response");
        var search = final.GetProperty("output")[0];
        var part = final.GetProperty("output")[1].GetProperty("content")[0];
        var citation = Assert.Single(part.GetProperty("annotations").EnumerateArray());

        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.file_search_call.in_progress",
            "response.file_search_call.searching", "response.file_search_call.completed", "response.output_item.done"], types.Take(7));
        Assert.Contains("response.output_text.annotation.added", types);
        Assert.Equal("file_search_call", search.GetProperty("type").GetString());
        Assert.Equal("How many weeks of parental leave do new parents get?", search.GetProperty("queries")[0].GetString());
        Assert.Equal("file_parental", search.GetProperty("results")[0].GetProperty("file_id").GetString());
        Assert.Contains("16 weeks", part.GetProperty("text").GetString());
        Assert.Equal("file_citation", citation.GetProperty("type").GetString());
        Assert.Equal("file_parental", citation.GetProperty("file_id").GetString());
        Assert.Equal('【', part.GetProperty("text").GetString()![citation.GetProperty("index").GetInt32()]);
    }

    [Fact]
    public async Task AResponseForcedToCallAFunctionCallsItWithoutSearchingFirst()
    {
        await using var stores = await StoresAsync();
        await using var service = TestSupport.Service().WithDocuments(stores);
        using var http = service.Client("usr_file_search_forced");

        var response = await (await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini",
            input = "What is the weather in Paris?",
            tools = new object[]
            {
                new { type = "file_search", vector_store_ids = new[] { "vs_benefits" } },
                new { type = "function", name = "get_weather", parameters = new { type = "object", properties = new { city = new { type = "string" } } } },
            },
            tool_choice = new { type = "function", name = "get_weather" },
        })).JsonAsync();

        var only = Assert.Single(response.GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", only.GetProperty("type").GetString());
        Assert.Equal("get_weather", only.GetProperty("name").GetString());
    }

    [Fact]
    public async Task WhatASearchFoundIsKeptAndShownToEveryRetrieveThatAsksForItWhateverTheCreateAsked()
    {
        await using var stores = await StoresAsync();
        await using var service = TestSupport.Service().WithDocuments(stores);
        using var http = service.Client("usr_file_search_kept");
        var conversation = (await (await http.PostAsJsonAsync("/v1/conversations", new { })).JsonAsync()).GetProperty("id").GetString();
        var created = await (await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini",
            input = "How many weeks of parental leave do new parents get?",
            tools = new[] { new { type = "file_search", vector_store_ids = new[] { "vs_benefits" } } },
            conversation,
        })).JsonAsync();
        var id = created.GetProperty("id").GetString()!;

        var plain = await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync();
        var asked = await (await http.GetAsync($"/v1/responses/{id}?include[]=file_search_call.results")).JsonAsync();
        var options = new OpenAI.Responses.GetResponseOptions(id);
        options.IncludedProperties.Add(OpenAI.Responses.IncludedResponseProperty.FileSearchCallResults);
        var viaSdk = (await service.Sdk("usr_file_search_kept").GetResponsesClient().GetResponseAsync(options)).Value;
        var items = await (await http.GetAsync($"/v1/conversations/{conversation}/items?order=asc&include=file_search_call.results")).JsonAsync();
        var searchItem = items.GetProperty("data")[1];
        var itemAlone = await (await http.GetAsync($"/v1/conversations/{conversation}/items/{searchItem.GetProperty("id").GetString()}")).JsonAsync();

        Assert.Equal(JsonValueKind.Null, created.GetProperty("output")[0].GetProperty("results").ValueKind);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("output")[0].GetProperty("results").ValueKind);
        var result = Assert.Single(asked.GetProperty("output")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("file_parental", result.GetProperty("file_id").GetString());
        Assert.Equal("New parents receive 16 weeks of paid parental leave.", result.GetProperty("text").GetString());
        var sdkSearch = Assert.IsType<OpenAI.Responses.FileSearchCallResponseItem>(viaSdk.OutputItems[0]);
        Assert.Equal("file_parental", Assert.Single(sdkSearch.Results).FileId);
        Assert.Equal("file_search_call", searchItem.GetProperty("type").GetString());
        Assert.Equal("file_parental", searchItem.GetProperty("results")[0].GetProperty("file_id").GetString());
        Assert.Equal(JsonValueKind.Null, itemAlone.GetProperty("results").ValueKind);
    }

    [Fact]
    public async Task AStoreTheCallerCannotReachIsA404BeforeAnythingIsStored()
    {
        await using var stores = await StoresAsync();
        await using var service = TestSupport.Service().WithDocuments(stores);
        using var http = service.Client("usr_file_search_404");
        using var response = await http.PostAsJsonAsync("/v1/responses", new
        {
            model = "gpt-4o-mini",
            input = "Anything?",
            tools = new[] { new { type = "file_search", vector_store_ids = new[] { "vs_other" } } },
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("vs_other", (await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AStoreDocumentServiceRefusesAsOutsideTheKeysScopeIsTheClientsMistakeNotAnOutage()
    {
        // As document-service answers an API key naming the store of an assistant outside its scope.
        await using var stores = await ScriptedHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path.EndsWith("/knowledge", StringComparison.Ordinal))
            {
                await context.Response.WriteAsJsonAsync(new { assistant_id = path.Split('/')[3], version = "kv-1", instructions = Array.Empty<object>() });
                return;
            }
            context.Response.StatusCode = 403;
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { message = "This API key may not use assistant asst_other.", type = "invalid_request_error", code = "assistant_not_allowed" },
            });
        });
        await using var service = TestSupport.Service().WithDocuments(stores);
        using var session = service.Client("usr_file_search_scope");
        var mine = await session.CreateAssistantAsync();
        using var http = service.Client("usr_file_search_scope", [mine]);

        using var searched = await http.PostAsJsonAsync("/v1/responses", new
        {
            model = mine,
            input = "What does the other assistant know?",
            tools = new[] { new { type = "file_search", vector_store_ids = new[] { "vs_asst_other" } } },
        });
        using var named = await http.PostAsJsonAsync("/v1/threads",
            new { tool_resources = new { file_search = new { vector_store_ids = new[] { "vs_asst_other" } } } });
        var searchError = (await searched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        var namedError = (await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(HttpStatusCode.Forbidden, searched.StatusCode);
        Assert.Equal("assistant_not_allowed", searchError.GetProperty("code").GetString());
        Assert.False(searched.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Equal("invalid_tool_resources", namedError.GetProperty("code").GetString());
    }
}
