using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Apis;
using ChatService.Model;
using ChatService.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static ChatService.Tests.ResponsesBackgroundTests;

namespace ChatService.Tests;

/// <summary>
/// How a response ends when its process stalls, dies or is never asked: leases held by whoever makes it (foreground or
/// background), one end on record whoever ends it, a terminal event stored with every final status, and streams that
/// stay open (kept alive) until that event. Time that decides a lease moves only when the test moves a clock.
/// </summary>
public sealed class ResponsesLifecycleTests
{
    /// <summary>A clock this far behind lets a test move it on without the callers' tokens (minted now) expiring.</summary>
    private static readonly TimeSpan CallerTokensStayValid = TimeSpan.FromHours(1);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AReplicaStalledPastItsLeaseCannotOverwriteTheFailureAnotherReplicasSweepRecorded(string database)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 7, "Too", " late");
        await using var making = (await TestSupport.ServiceOnAsync(database)).WithModel(model);
        using var http = making.Client("usr_stalled");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sweepingHost = TestSupport.Service().With("ConnectionStrings:chatdb", making.Database());
        await using var sweeping = sweepingHost.OnClock(clock);
        _ = sweeping.Services;

        var id = await CreateAsync(http, new { model = "gpt-4o-mini", input = "Slow work", background = true });
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");
        // The making replica's lease, as the other replica sees it an hour on: run out.
        clock.Advance(TimeSpan.FromHours(1));
        var failed = await WaitForStatusAsync(http, id, "failed");
        release.SetResult();
        var held = making.Services.GetRequiredService<BackgroundResponseQueue>();
        await Wait.UntilAsync(() => Task.FromResult(held.Held().Count == 0), Bound, "the stalled replica to finish its answer");
        var after = await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync();

        Assert.Equal(BackgroundResponseWorker.StoppedMessage, failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("failed", after.GetProperty("status").GetString());
        Assert.Equal("server_error", after.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(after.GetProperty("output").EnumerateArray());
        var events = await AssertEventsAgreeAsync(http, id);
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "response.output_text.done");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ResponsesWhoseProcessDiedEndWithOneResponseFailedEventThatAFollowerAndAResumeSee(string database)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = await TestSupport.ServiceOnAsync(database);
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_died");
        // As a killed process leaves them, each with the events it had stored and a lease that has not run out yet.
        var rows = new (string Id, string Status, bool Background, string[] Events)[]
        {
            ("resp_0deadforeground", "in_progress", false, ["response.created", "response.in_progress"]),
            ("resp_0deadbackground", "in_progress", true, ["response.created", "response.queued", "response.in_progress"]),
            ("resp_0deadqueued", "queued", true, ["response.created", "response.queued"]),
        };
        await SeedAsync(service.Services, clock.GetUtcNow().ToUnixTimeSeconds() + 60, rows);

        using var follower = await SseStream.OpenAsync(http, "/v1/responses/resp_0deadforeground?stream=true");
        await follower.UntilAsync(line => line.Contains("\"response.in_progress\"", StringComparison.Ordinal));
        clock.Advance(TimeSpan.FromMinutes(5));
        await follower.ToEndAsync();

        Assert.Equal(["response.created", "response.in_progress", "response.failed"], follower.Events.Select(e => e.GetProperty("type").GetString()));
        foreach (var (id, _, _, stored) in rows)
        {
            var resumed = Events(await http.GetStringAsync($"/v1/responses/{id}?stream=true&starting_after={stored.Length - 1}"));
            var failed = Assert.Single(resumed);
            Assert.Equal("response.failed", failed.GetProperty("type").GetString());
            Assert.Equal(stored.Length, failed.GetProperty("sequence_number").GetInt32());
            Assert.Equal("failed", failed.GetProperty("response").GetProperty("status").GetString());
            Assert.Equal(BackgroundResponseWorker.StoppedMessage, failed.GetProperty("response").GetProperty("error").GetProperty("message").GetString());
            await AssertEventsAgreeAsync(http, id);
        }
    }

    [Fact]
    public async Task AFollowerOfAQuietResponseIsKeptAliveLongPastTwoMinutesAndEndsWithItsTerminalEvent()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = TestSupport.Service();
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_died");
        using var stream = await FollowMadeElsewhereAsync(service.Services, http, clock, "resp_0thinking");
        clock.Advance(ResponsesApi.KeepAliveEvery + TimeSpan.FromSeconds(1));
        var firstKeepAlive = await stream.NextAsync();
        clock.Advance(TimeSpan.FromMinutes(3));
        var secondKeepAlive = await stream.NextAsync();
        // The other replica died: its lease runs out, and the sweep ends the response.
        clock.Advance(TimeSpan.FromMinutes(10));
        await stream.ToEndAsync();

        Assert.Equal(": keep-alive", firstKeepAlive);
        Assert.Equal(": keep-alive", secondKeepAlive);
        Assert.Equal(["response.created", "response.queued", "response.in_progress", "response.failed"],
            stream.Events.Select(e => e.GetProperty("type").GetString()));
        await AssertEventsAgreeAsync(http, "resp_0thinking");
    }

    [Fact]
    public async Task AFollowersStreamEndsAtOnceWhenTheServiceStopsAndLeavesTheResponseToWhoeverMakesIt()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = TestSupport.Service();
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_died");
        using var stream = await FollowMadeElsewhereAsync(service.Services, http, clock, "resp_0elsewhere");
        var database = service.Database();

        service.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await stream.ToEndAsync();
        // The stopped service's container may already be gone: the lease is read as another replica, on the same clock, reads it.
        await using var otherHost = TestSupport.Service().With("ConnectionStrings:chatdb", database);
        await using var other = otherHost.OnClock(clock);

        Assert.Equal(["response.created", "response.queued", "response.in_progress"], stream.Events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds() + 600, await LeaseAsync(other.Services, "resp_0elsewhere"));
    }

    [Fact]
    public async Task AStreamOfABackgroundResponseCancelledWhileQueuedShowsItQueuedAndEnds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await HeldModelAsync(release, 5, "First");
        await using var service = TestSupport.Service().WithModel(model).With("Chat:BackgroundConcurrency", "1");
        using var http = service.Client("usr_cancel_queued");
        var first = await CreateAsync(http, new { model = "gpt-4o-mini", input = "First", background = true });
        await Wait.UntilAsync(() => Task.FromResult(model.Requests.Count == 1), Bound, "the model to be asked");

        using var stream = await SseStream.OpenAsync(http, "/v1/responses", new { model = "gpt-4o-mini", input = "Second", background = true, stream = true });
        await stream.UntilAsync(line => line.Contains("\"response.queued\"", StringComparison.Ordinal));
        var id = stream.Events[0].GetProperty("response").GetProperty("id").GetString()!;
        var cancelled = await (await http.PostAsync($"/v1/responses/{id}/cancel", null)).JsonAsync();
        await stream.ToEndAsync();
        release.SetResult();
        await WaitForStatusAsync(http, first, "completed");

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(["response.created", "response.queued"], stream.Events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(stream.Events, e => Assert.Equal("queued", e.GetProperty("response").GetProperty("status").GetString()));
        Assert.Equal(stream.Events.Select(e => e.GetRawText()), (await AssertEventsAgreeAsync(http, id)).Select(e => e.GetRawText()));
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task AForegroundResponseBeingMadeKeepsItsLeaseHoweverLongItTakesAndReleasesItWhenItEnds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            async Task Send(object chunk)
            {
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n");
                await context.Response.Body.FlushAsync();
            }
            await Send(TestSupport.Chunk(new { content = "Slowly" }, null));
            await release.Task.WaitAsync(context.RequestAborted);
            await Send(TestSupport.Chunk(new { content = " done" }, null));
            await Send(TestSupport.Chunk(new { }, "stop"));
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - CallerTokensStayValid);
        await using var host = TestSupport.Service().WithModel(model);
        await using var service = host.OnClock(clock);
        using var http = service.Client("usr_long_foreground");
        var leases = service.Services.GetRequiredService<Leases>();

        var answering = Task.Run(() => http.PostAsJsonAsync("/v1/responses", new { model = "gpt-4o-mini", input = "Take long" }));
        await Wait.UntilAsync(() => Task.FromResult(leases.Held().Count == 1), Bound, "the response to be held");
        var id = leases.Held()[0];
        clock.Advance(TimeSpan.FromMinutes(10));
        var renewedPast = clock.GetUtcNow().ToUnixTimeSeconds();
        await Wait.UntilAsync(async () => await LeaseAsync(service.Services, id) > renewedPast, Bound, "the lease to be renewed");
        var meanwhile = await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync();
        release.SetResult();
        var done = await (await answering.WaitAsync(Bound)).JsonAsync();

        Assert.Equal("in_progress", meanwhile.GetProperty("status").GetString());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Null(await LeaseAsync(service.Services, id));
        Assert.Empty(leases.Held());
        await AssertEventsAgreeAsync(http, id);
    }

    /// <summary>
    /// The response's stored events, checked against its status: numbered from 0 without gaps, and a final status of
    /// completed, incomplete or failed has exactly one terminal event, the last, showing that status (a cancelled or
    /// unfinished one has none).
    /// </summary>
    internal static async Task<List<JsonElement>> AssertEventsAgreeAsync(HttpClient http, string id)
    {
        var status = (await (await http.GetAsync($"/v1/responses/{id}")).JsonAsync()).GetProperty("status").GetString();
        var events = Events(await http.GetStringAsync($"/v1/responses/{id}?stream=true"));
        var expected = ResponseEnding.EventOf(status!);

        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("sequence_number").GetInt32()));
        Assert.Equal(expected is null ? [] : [expected],
            events.Select(e => e.GetProperty("type").GetString()!).Where(ResponseEnding.IsTerminal));
        if (expected is not null)
        {
            Assert.Equal(expected, events[^1].GetProperty("type").GetString());
            Assert.Equal(status, events[^1].GetProperty("response").GetProperty("status").GetString());
        }
        return events;
    }

    /// <summary>
    /// Follows a response being made on another replica, whose lease has ten minutes to run (nothing is stored while
    /// its model thinks), once the stream has replayed what is stored.
    /// </summary>
    private static async Task<SseStream> FollowMadeElsewhereAsync(IServiceProvider services, HttpClient http, ManualTimeProvider clock, string id)
    {
        await SeedAsync(services, clock.GetUtcNow().ToUnixTimeSeconds() + 600,
            [(id, "in_progress", true, ["response.created", "response.queued", "response.in_progress"])]);
        var stream = await SseStream.OpenAsync(http, $"/v1/responses/{id}?stream=true");
        await stream.UntilAsync(line => line.Contains("\"response.in_progress\"", StringComparison.Ordinal));
        return stream;
    }

    private static async Task SeedAsync(IServiceProvider services, long leaseExpiresAt, (string Id, string Status, bool Background, string[] Events)[] rows)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDbContext>();
        foreach (var (id, status, background, events) in rows)
        {
            var response = new ResponseEntity
            {
                Id = id, OwnerId = "usr_died", Status = status, Model = "gpt-4o-mini", Background = background, CreatedAt = 1, LeaseExpiresAt = leaseExpiresAt,
            };
            db.Responses.Add(response);
            db.ResponseEvents.AddRange(events.Select((type, n) =>
                ResponseEventLog.Row(id, n, type, new JsonObject { ["response"] = ResponseJson.Build(response, []) })));
        }
        await db.SaveChangesAsync();
    }

    private static async Task<long?> LeaseAsync(IServiceProvider services, string id)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ChatDbContext>().Responses.AsNoTracking()
            .Where(r => r.Id == id).Select(r => r.LeaseExpiresAt).SingleAsync();
    }
}

/// <summary>A server-sent event stream read line by line as it comes, each read bounded.</summary>
internal sealed class SseStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    /// <summary>The events read so far (their data lines).</summary>
    public List<JsonElement> Events { get; } = [];

    /// <summary>GETs <paramref name="path"/>, or POSTs <paramref name="body"/> to it, and reads nothing yet.</summary>
    public static async Task<SseStream> OpenAsync(HttpClient http, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path)
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        // The body is read for the message only on a refusal: a stream's body ends only when its response does.
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().WaitAsync(Bound)}");
        }
        return new SseStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next line that is not blank (null at the end of the stream).</summary>
    public async Task<string?> NextAsync()
    {
        while (true)
        {
            var line = await _reader.ReadLineAsync().WaitAsync(Bound);
            if (line is null || line.Length > 0)
            {
                if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    Events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
                }
                return line;
            }
        }
    }

    public async Task UntilAsync(Func<string, bool> seen)
    {
        while (await NextAsync() is { } line)
        {
            if (seen(line))
            {
                return;
            }
        }
        Assert.Fail("The stream ended first.");
    }

    public async Task ToEndAsync()
    {
        while (await NextAsync() is not null)
        {
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
