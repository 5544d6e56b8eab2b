// Time to first token: straight to a scripted OpenAI-compatible upstream versus through the chat service (which
// calls that same upstream through Microsoft.Extensions.AI.OpenAI), in one run, alternating, over real loopback HTTP.
// The gateway is not part of this measurement (another service); this is the chat service's own share.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TestInfrastructure;

namespace Chat.Bench;

internal static class ChatBench
{
    public static async Task Main(string[] args)
    {
        const int Warmup = 50;
        var samples = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 400;

        await using var upstream = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in new[] { "Hello", " from", " the", " model" })
            {
                var chunk = new
                {
                    id = "chatcmpl-b", @object = "chat.completion.chunk", created = 1, model = "m",
                    choices = new[] { new { index = 0, delta = new { content = piece }, finish_reason = (string?)null } },
                };
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n");
                await context.Response.Body.FlushAsync();
            }
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });

        // document-service stand-in: answers knowledge and search at once, so the row below shows the cost of the
        // chat service's own work per assistant answer (database lookup, two sibling calls, prompt building).
        await using var documents = await ScriptedHttpServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/knowledge", StringComparison.Ordinal)
            ? context.Response.WriteAsJsonAsync(new { assistant_id = "a", version = "v1", instructions = Array.Empty<object>() })
            : context.Response.WriteAsJsonAsync(new { data = new[] { new { document_id = "doc_1", filename = "f.txt", chunk_index = 0, score = 0.9, text = "A passage." } } }));

        var dataDir = Directory.CreateTempSubdirectory("chat-bench-").FullName;
        await using var service = new ServiceFactory<global::Program>()
            .With("ConnectionStrings:chatdb", $"Data Source={Path.Combine(dataDir, "chatdb.db")}")
            .With("ConnectionStrings:openai", $"Endpoint={new Uri(upstream.Url, "/v1")};Key=bench;Model=m")
            .With("services:document-service:http:0", documents.Url.ToString().TrimEnd('/'))
            .With("Logging:LogLevel:Default", "Warning");
        service.UseKestrel(0);
        service.StartServer();
        var serviceUrl = new Uri(service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(serviceUrl, "/v1/assistants"))
        {
            Content = JsonContent.Create(new { model = "m", instructions = "Answer briefly." }),
        };
        create.Headers.Add("X-Caller-Identity", TestIdentity.Token("usr_bench"));
        using var created = await http.SendAsync(create);
        var assistantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await using var gateway = await BenchGateway.StartAsync(serviceUrl);

        async Task<double> FirstTokenAsync(Uri url, bool viaService, string model = "m")
        {
            var body = new { model, stream = true, messages = new[] { new { role = "user", content = "Say hello" } } };
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            if (url.Authority == gateway.Url.Authority)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", gateway.AccessToken);
            }
            else if (viaService)
            {
                request.Headers.Add("X-Caller-Identity", TestIdentity.Token("usr_bench"));
            }
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                if (line.Contains("\"content\":\"Hello\"", StringComparison.Ordinal))
                {
                    var elapsed = clock.Elapsed.TotalMilliseconds;
                    await reader.ReadToEndAsync();
                    return elapsed;
                }
            }
            throw new InvalidOperationException("The stream ended without its first token.");
        }

        var direct = new Uri(upstream.Url, "/v1/chat/completions");
        var through = new Uri(serviceUrl, "/v1/chat/completions");
        var viaGateway = new Uri(gateway.Url, "/v1/chat/completions");
        for (var i = 0; i < Warmup; i++)
        {
            await FirstTokenAsync(direct, false);
            await FirstTokenAsync(through, true);
            await FirstTokenAsync(through, true, assistantId);
            await FirstTokenAsync(viaGateway, true);
        }

        var assistantTimes = new List<double>();
        var directTimes = new List<double>();
        var serviceTimes = new List<double>();
        var gatewayTimes = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            // Alternate the order so neither path always runs on a warmer machine.
            if (i % 2 == 0)
            {
                directTimes.Add(await FirstTokenAsync(direct, false));
                serviceTimes.Add(await FirstTokenAsync(through, true));
                assistantTimes.Add(await FirstTokenAsync(through, true, assistantId));
                gatewayTimes.Add(await FirstTokenAsync(viaGateway, true));
            }
            else
            {
                gatewayTimes.Add(await FirstTokenAsync(viaGateway, true));
                assistantTimes.Add(await FirstTokenAsync(through, true, assistantId));
                serviceTimes.Add(await FirstTokenAsync(through, true));
                directTimes.Add(await FirstTokenAsync(direct, false));
            }
        }

        static double Percentile(List<double> values, double p)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
        }

        Console.WriteLine($"time to first token, {samples} requests each, alternating ({total.Elapsed.TotalSeconds:F1} s)");
        Console.WriteLine($"{"path",-34} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8}");
        Console.WriteLine($"{"straight to the scripted upstream",-34} {Percentile(directTimes, .5),8:F2} {Percentile(directTimes, .9),8:F2} {Percentile(directTimes, .99),8:F2}");
        Console.WriteLine($"{"through chat-service",-34} {Percentile(serviceTimes, .5),8:F2} {Percentile(serviceTimes, .9),8:F2} {Percentile(serviceTimes, .99),8:F2}");
        Console.WriteLine($"{"through chat-service, assistant id",-34} {Percentile(assistantTimes, .5),8:F2} {Percentile(assistantTimes, .9),8:F2} {Percentile(assistantTimes, .99),8:F2}");
        Console.WriteLine($"{"through gateway and chat-service",-34} {Percentile(gatewayTimes, .5),8:F2} {Percentile(gatewayTimes, .9),8:F2} {Percentile(gatewayTimes, .99),8:F2}");
        var viaBoth = Percentile(gatewayTimes, .5) - Percentile(directTimes, .5);
        Console.WriteLine($"added by gateway + chat-service at p50: {viaBoth:F2} ms (target: at most 5 ms)");
        var added = Percentile(serviceTimes, .5) - Percentile(directTimes, .5);
        Console.WriteLine($"added by chat-service at p50: {added:F2} ms (target: at most 5 ms including the gateway); ratio {Percentile(serviceTimes, .5) / Percentile(directTimes, .5):F2}x");
        Console.WriteLine($"added with an assistant (db lookup + knowledge + search on a scripted document-service) at p50: {Percentile(assistantTimes, .5) - Percentile(directTimes, .5):F2} ms");
    }
}
