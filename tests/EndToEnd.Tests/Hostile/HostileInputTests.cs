using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// Walks every operation of every service's OpenAPI document through the gateway, with the platform run the way the
/// AppHost runs it (Development), and sends what a hostile or careless client sends. Every answer must be a 4xx in its
/// family's shape with nothing of the inside, and afterwards every service is healthy and the victim's data unchanged.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HostileInputTests(Platform platform, ITestOutputHelper output)
{
    private static readonly (string Name, string Value)[] HostileIds =
    [
        ("an unknown id", "asst_0000000000000000unknown"),
        ("a traversal", "..%2F..%2F..%2Fetc%2Fpasswd"),
        ("a NUL byte", "abc%00def"),
        ("invalid UTF-8", "%C3%28%FF%FE"),
        ("a huge id", new string('a', 4000)),
        ("a quote and markup", "%22%3E%3Cscript%3E"),
    ];

    [Fact]
    public async Task UnknownForeignAndMalformedIdsInAnyPathAreRefusedWithA4xx()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        using var client = world.Client(world.Attacker);

        foreach (var operation in world.Operations.Where(o => o.Parameters.Count > 0))
        {
            foreach (var (name, value) in HostileIds)
            {
                await SendAsync(answers, client, $"{name} in the path", operation.Method,
                    operation.Fill(p => Tenant.Kind(p, operation.Path) == "service" ? "chat-service" : value), operation.HasBody ? "{}" : null);
            }
            // Ids that exist, but are the victim's: exactly as unknown to the attacker.
            var (status, _) = await SendAsync(answers, client, "the victim's ids", operation.Method,
                operation.Fill(p => world.Victim.IdFor(p, operation.Path)), operation.HasBody ? "{}" : null);
            if (operation.Parameters.All(p => Tenant.Kind(p, operation.Path) is not ("other" or "service")))
            {
                Assert.False((int)status is >= 200 and < 300, $"{operation} with the victim's ids answered {(int)status}");
            }
        }

        await FinishAsync(world, answers);
    }

    [Fact]
    public async Task MalformedMistypedDeepHugeAndNonUtf8JsonBodiesAreRefusedWithA4xx()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        using var client = world.Client(world.Attacker);
        var deep = "{\"a\":" + new string('[', 20_000) + new string(']', 20_000) + "}";
        var huge = "{\"name\":\"" + new string('x', 3 * 1024 * 1024) + "\"}";
        var bodies = new (string Name, byte[] Bytes, string MediaType)[]
        {
            ("malformed JSON", "{\"name\":"u8.ToArray(), "application/json"),
            ("wrong types", """{"model":123,"messages":"x","name":[],"instructions":{},"metadata":"m","input":false,"intents":7,"assistant_id":5,"channel":"c","query":[],"email":1,"password":{}}"""u8.ToArray(), "application/json"),
            ("an array", "[1,2,3]"u8.ToArray(), "application/json"),
            ("a bare string", "\"hello\""u8.ToArray(), "application/json"),
            ("a number", "12345678901234567890123"u8.ToArray(), "application/json"),
            ("deep nesting", Encoding.ASCII.GetBytes(deep), "application/json"),
            ("a body over the size limit", Encoding.ASCII.GetBytes(huge), "application/json"),
            ("a NUL byte", "{\"name\":\"a\0b\",\"message\":\"\0\"}"u8.ToArray(), "application/json"),
            ("invalid UTF-8", [.. "{\"name\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8], "application/json"),
            ("an empty body", [], "application/json"),
            ("XML", "<a><b/></a>"u8.ToArray(), "application/xml"),
            ("text in UTF-7", "+ADw-script+AD4-"u8.ToArray(), "application/json; charset=utf-7"),
        };

        foreach (var operation in world.Operations.Where(o => o.HasBody && !o.TakesMultipart))
        {
            var path = operation.Fill(p => world.Attacker.IdFor(p, operation.Path));
            foreach (var (name, bytes, mediaType) in bodies)
            {
                using var content = new ByteArrayContent(bytes);
                content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
                if (bytes.Length > 1024 * 1024)
                {
                    await SendOversizedAsync(answers, client, name, operation.Method, path, content);
                    continue;
                }
                await SendAsync(answers, client, name, operation.Method, path, content);
            }
        }

        await FinishAsync(world, answers);
    }

    [Fact]
    public async Task FakeBombTraversingAndTruncatedUploadsAreRefusedWithA4xx()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        using var client = world.Client(world.Attacker);

        foreach (var operation in world.Operations.Where(o => o.TakesMultipart))
        {
            var path = operation.Fill(p => world.Attacker.IdFor(p, operation.Path));
            foreach (var (name, content) in Uploads.All(world.Attacker.AssistantId))
            {
                using (content)
                {
                    await SendAsync(answers, client, name, operation.Method, path, content);
                }
            }
        }

        await FinishAsync(world, answers, atLeast: 50);
    }

    [Fact]
    public async Task BadPagingAndQueryParametersAreRefusedWithA4xx()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        using var client = world.Client(world.Attacker);
        string[] queries =
        [
            "limit=-1", "limit=0", "limit=abc", "limit=99999999999999999999", "limit=1.5", "order=sideways",
            "after=" + new string('z', 3000), "before=%00", "after=..%2F..", "active=maybe", "assistant_id=%C3%28",
            "assistant_id=" + "asst_" + new string('9', 500), "limit=1&limit=2", "purpose=%00",
        ];

        foreach (var operation in world.Operations.Where(o => o.Method == "GET" && o.TakesQuery))
        {
            var path = operation.Fill(p => world.Attacker.IdFor(p, operation.Path));
            foreach (var query in queries)
            {
                await SendAsync(answers, client, "query " + query[..Math.Min(query.Length, 20)], "GET", path + "?" + query, null);
            }
        }

        await FinishAsync(world, answers);
    }

    [Fact]
    public async Task MethodsARouteDoesNotServeAreRefusedWithA4xxNeverAsAnOutage()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        using var client = world.Client(world.Attacker);
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"];

        foreach (var group in world.Operations.GroupBy(o => o.Path))
        {
            var served = group.Select(o => o.Method).ToHashSet();
            var path = group.First().Fill(p => "unknown");
            foreach (var method in methods.Where(m => !served.Contains(m)))
            {
                await SendAsync(answers, client, "an unserved method", method, path, method is "POST" or "PUT" or "PATCH" ? "{}" : null);
            }
            await SendRawAsync(answers, "CONNECT", path, world.Attacker.AccessToken);
        }

        await FinishAsync(world, answers);
    }

    [Fact]
    public async Task HostileHeadersAndTokensAreRefusedWithA4xx()
    {
        var world = await HostileWorld.ForAsync(platform);
        var answers = new Answers();
        var bearer = "Bearer " + world.Attacker.AccessToken;
        // Without a valid credential nothing may succeed; with the attacker's, the victim's ids must still be unknown.
        var headerSets = new (string Name, (string Header, string Value)[] Headers)[]
        {
            ("a garbage token", [("Authorization", "Bearer not-a-token")]),
            ("an empty bearer", [("Authorization", "Bearer ")]),
            ("a token signed with none", [("Authorization", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c3JfMSJ9.")]),
            ("a huge token", [("Authorization", "Bearer " + new string('A', 6000))]),
            ("a garbage API key", [("X-API-Key", "sk-" + new string('0', 40))]),
            ("a forged identity alone", [("X-Caller-Identity", "eyJzdWIiOiJ1c3JfdmljdGltIn0.c2lnbmF0dXJl")]),
            ("an event-stream accept without a token", [("Accept", "text/event-stream")]),
            ("a forged identity with a real token", [("X-Caller-Identity", "eyJzdWIiOiJ1c3JfdmljdGltIn0.c2lnbmF0dXJl"), ("Authorization", bearer)]),
            ("an event-stream accept with a token", [("Accept", "text/event-stream"), ("Authorization", bearer)]),
            ("an XML accept with a token", [("Accept", "application/xml"), ("Authorization", bearer)]),
            ("an oversized header", [("X-Padding", new string('p', 70_000)), ("Authorization", bearer)]),
        };

        foreach (var operation in world.Operations.Where(o => o.Parameters.Count > 0 || o.HasBody).DistinctBy(o => o.Path))
        {
            var path = operation.Fill(p => world.Victim.IdFor(p, operation.Path));
            foreach (var (name, headers) in headerSets)
            {
                using var client = world.Platform.Anonymous();
                foreach (var (header, value) in headers)
                {
                    client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
                }
                var (status, _) = await SendAsync(answers, client, name, operation.Method, path, operation.HasBody ? "{\"x\":1}" : null);
                var credentialed = headers.Any(h => h.Value == bearer);
                if (!credentialed || operation.Parameters.Any(p => Tenant.Kind(p, operation.Path) is not ("other" or "service")))
                {
                    Assert.False((int)status is >= 200 and < 300, $"{operation.Method} {operation.Path} with {name} answered {(int)status}");
                }
            }
        }

        await FinishAsync(world, answers);
    }

    private async Task FinishAsync(HostileWorld world, Answers answers, int atLeast = 100)
    {
        output.WriteLine(answers.Summary);
        foreach (var breach in answers.Breaches)
        {
            output.WriteLine(breach);
        }
        Assert.True(answers.Sent >= atLeast, $"only {answers.Sent} requests were sent: the operations were not found");
        Assert.True(answers.Breaches.Count == 0, answers.Summary + "\n" + string.Join("\n", answers.Breaches.Take(40)));
        await world.AssertPlatformIntactAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(
        Answers answers, HttpClient client, string label, string method, string path, object? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = body switch
            {
                HttpContent content => content,
                string json => new StringContent(json, Encoding.UTF8, "application/json"),
                _ => null,
            },
        };
        using var response = await client.SendAsync(request);
        var result = await answers.CheckAsync(label, request, response);
        if (body is HttpContent)
        {
            request.Content = null; // The caller owns and disposes its content.
        }
        return result;
    }

    /// <summary>
    /// A body over the route's limit is refused with 413 as soon as its length is seen; a server may then close the
    /// connection while the client still sends (as nginx and Kestrel do), so the client asks first (100-continue) and a
    /// reset while sending counts as the refusal it is.
    /// </summary>
    private static async Task SendOversizedAsync(Answers answers, HttpClient client, string label, string method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.ExpectContinue = true;
        try
        {
            using var response = await client.SendAsync(request);
            var (status, _) = await answers.CheckAsync(label, request, response);
            Assert.True((int)status is 413 or 400 or 401 or 404 or 405 or 415, $"{method} {path} with {label} answered {(int)status}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is IOException)
        {
            answers.Check(label, method, path, 413, "application/problem+json", """{"status":413,"title":"closed while sending"}""", "");
        }
        finally
        {
            request.Content = null;
        }
    }

    /// <summary>CONNECT cannot be sent through HttpClient to an origin path, so it goes over a socket.</summary>
    private async Task SendRawAsync(Answers answers, string method, string path, string token)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(platform.Gateway.Host, platform.Gateway.Port);
        await using var stream = tcp.GetStream();
        var request = $"{method} {path} HTTP/1.1\r\nHost: {platform.Gateway.Authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        var headEnd = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headEnd < 0 ? raw : raw[..headEnd];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var mediaType = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?
            .Split(':', 2)[1].Split(';')[0].Trim();
        var body = headEnd < 0 ? "" : Unchunk(raw[(headEnd + 4)..], head);
        answers.Check("CONNECT", method, path, status, mediaType, body, head);
    }

    private static string Unchunk(string body, string head)
    {
        if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }
        var result = new StringBuilder();
        var rest = body;
        while (rest.IndexOf("\r\n", StringComparison.Ordinal) is var end and > 0)
        {
            var size = Convert.ToInt32(rest[..end].Trim(), 16);
            if (size == 0)
            {
                break;
            }
            result.Append(rest.AsSpan(end + 2, size));
            rest = rest[(end + 2 + size + 2)..];
        }
        return result.ToString();
    }
}
