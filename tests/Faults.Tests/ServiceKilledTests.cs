using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Faults.Tests;

public sealed class ServiceKilledTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AKilledServicesRoutesAnswer503FastOthersKeepWorkingAndItsTrafficResumesWhenItReturns()
    {
        await using var platform = await Platform.StartAsync();
        using var user = await platform.NewUserAsync("killed");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/files")).StatusCode);

        await platform["document-service"].KillAsync();

        var times = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var (files, filesTime) = await TimedAsync(user, "/v1/files");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, files.StatusCode);
            Assert.Equal("service_unavailable", (await JsonAsync(files)).GetProperty("error").GetProperty("code").GetString());
            var (documents, documentsTime) = await TimedAsync(user, "/api/documents");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, documents.StatusCode);
            Assert.Equal("application/problem+json", documents.Content.Headers.ContentType?.MediaType);
            Assert.Equal(503, (await JsonAsync(documents)).GetProperty("status").GetInt32());
            times.AddRange([filesTime, documentsTime]);
        }
        times.Sort();
        var median = times[times.Count / 2];
        output.WriteLine($"document-service killed: 40 answers, all 503, median {median.TotalMilliseconds:F1} ms, slowest {times[^1].TotalMilliseconds:F1} ms");
        // The median, not the slowest: on 2 shared cores one answer in forty can wait on a busy scheduler.
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"the median 503 took {median.TotalMilliseconds:F0} ms");
        Assert.True(times[^1] < TimeSpan.FromSeconds(2), $"a 503 took {times[^1].TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/assistants")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/auth/me")).StatusCode);

        await platform.StartServiceAsync("document-service");
        var back = Stopwatch.StartNew();
        var failedAfterReturn = 0;
        HttpResponseMessage last;
        while ((last = await user.GetAsync("/v1/files")).StatusCode != HttpStatusCode.OK)
        {
            failedAfterReturn++;
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(30),
                $"traffic did not resume within 30 s of the service's return: {(int)last.StatusCode} {await last.Content.ReadAsStringAsync()}");
            await Task.Delay(20);
        }
        // Reported, not bounded: the first request after the return also pays the fresh service's first-call cost, over
        // a second on a loaded CI machine once (1,076 ms, no failed try), so the bound that matters is the loop's.
        output.WriteLine($"document-service back (answering /alive): first 200 through the gateway after {back.Elapsed.TotalMilliseconds:F0} ms, {failedAfterReturn} failed tries");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/documents")).StatusCode);
    }

    private static async Task<(HttpResponseMessage, TimeSpan)> TimedAsync(HttpClient client, string path)
    {
        var watch = Stopwatch.StartNew();
        var response = await client.GetAsync(path);
        return (response, watch.Elapsed);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
