using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Errors;

namespace ServiceDefaults.Tests;

public sealed class ErrorsTests
{
    private static readonly Action<WebApplication> Routes = app =>
    {
        app.MapGet("/api/boom", string () => throw new InvalidOperationException("secret internals"));
        app.MapGet("/v1/boom", string () => throw new InvalidOperationException("secret internals"));
        app.MapGet("/v1/things/{id}", string (string id) => throw new ApiException(404, $"No thing found with id '{id}'.", code: "not_found"));
        app.MapGet("/api/things/{id}", string (string id) => throw new ApiException(404, $"No thing found with id '{id}'.", code: "not_found"));
        app.MapPost("/v1/things", (Thing thing) => thing.Name);
        app.MapGet("/v1/picky", string () => throw new ApiException(400, "temperature must be between 0 and 2.", code: "invalid_temperature") { Param = "temperature" });
        app.MapGet("/api/picky", string () => throw new ApiException(400, "temperature must be between 0 and 2.", code: "invalid_temperature") { Param = "temperature" });
        app.MapPost("/api/things", (Thing thing) => thing.Name);
        // Open-shaped fields (content parts, input items, metadata) bind as JsonElement and are read later.
        app.MapPost("/v1/notes", (JsonElement note) => note.GetProperty("text").GetString());
        app.MapPost("/api/notes", (JsonElement note) => note.GetProperty("text").GetString());
        // What PostgreSQL answers a NUL in text that reached a write past binding (SQLSTATE 22021).
        app.MapPost("/v1/stored", string () => throw new Microsoft.EntityFrameworkCore.DbUpdateException("An error occurred while saving.",
            new Npgsql.PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021")));
        app.MapGet("/api/invalid", () => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["The name is required."] }));
        app.MapGet("/api/missing", () => TypedResults.Problem("Nothing here.", statusCode: 404, title: "Not found"));
        app.MapGet("/api/refused", string () => throw new ApiException(403, "Not yours.", "forbidden"));
        app.MapGet("/v1/busy/{seconds:double}", string (double seconds) =>
            throw new ApiException(429, "Too many requests.", code: "rate_limit_exceeded") { RetryAfter = TimeSpan.FromSeconds(seconds) });
    };

    [Theory]
    [InlineData("0.2", "1")]
    [InlineData("30.5", "31")]
    [InlineData("59", "59")]
    [InlineData("60.4", "59")]
    [InlineData("3600", "59")]
    public async Task ARefusalAsksToComeBackAfterWholeSecondsAndNeverAMinuteOrMoreWhichOpenAIsSdksWouldIgnore(string wait, string header)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri($"/v1/busy/{wait}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(header, response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task AnUnhandledErrorOnANativeRouteIsAProblemWithoutInternals()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri("/api/boom", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("secret internals", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.Equal(500, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AnUnhandledErrorOnAnOpenAIRouteIsOpenAIsErrorBody()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri("/v1/boom", UriKind.Relative));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("secret", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiExceptionKeepsItsStatusMessageAndCode()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri("/v1/things/t_9", UriKind.Relative));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No thing found with id 't_9'.", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnUnknownOpenAIPathNamesTheUrlAsOpenAIDoes()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri("/v1/nothing-here", UriKind.Relative));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Unknown request URL: GET /v1/nothing-here.", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/v1/things")]
    [InlineData("/api/things")]
    public async Task MalformedJsonIsABadRequestInTheFamilysShape(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(
            new Uri(path, UriKind.Relative), new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(path.StartsWith("/v1", StringComparison.Ordinal), root.TryGetProperty("error", out _));
        Assert.Equal(!path.StartsWith("/v1", StringComparison.Ordinal), root.TryGetProperty("status", out _));
    }

    [Theory]
    [InlineData("/v1/things")]
    [InlineData("/api/things")]
    public async Task AnEmptyBodyIsABadRequestThatSaysSoInTheClientsWordsNotTheFrameworks(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(
            new Uri(path, UriKind.Relative), new StringContent("", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The request body is empty; send a JSON object.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Implicit body", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Service", body, StringComparison.Ordinal);
    }

    public sealed record Thing(string Name);

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task InEveryEnvironmentAClientMistakeIsA4xxAndNoAnswerShowsTheInside(string environment)
    {
        await using var host = await TestHost.StartAsync(map: Routes, environment: environment);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        using var missing = await client.GetAsync(new Uri("/api/things/t_1", UriKind.Relative));
        using var malformed = await client.PostAsync(
            new Uri("/api/things", UriKind.Relative), new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        using var boom = await client.GetAsync(new Uri("/api/boom", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, boom.StatusCode);
        foreach (var response in new[] { missing, malformed, boom })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
            Assert.DoesNotContain("secret internals", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Thing thing", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InDevelopmentAClientMistakeLogsNoErrorWhileAFailureOfOursIsLoggedOnceWithItsStackTrace()
    {
        var log = new RecordingLoggerProvider();
        await using var host = await TestHost.StartAsync(map: Routes, environment: "Development",
            configure: builder => builder.Logging.AddProvider(log));
        using var client = host.CreateClient();

        using var missing = await client.GetAsync(new Uri("/api/things/t_1", UriKind.Relative));
        using var malformed = await client.PostAsync(
            new Uri("/api/things", UriKind.Relative), new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        var afterMistakes = log.Errors();
        using var boom = await client.GetAsync(new Uri("/api/boom", UriKind.Relative));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest), (missing.StatusCode, malformed.StatusCode));
        Assert.Empty(afterMistakes);
        var failure = Assert.Single(log.Errors());
        Assert.NotNull(failure.Exception);
    }

    [Theory]
    [InlineData("/api/things/t_2", "application/problem+json")]
    [InlineData("/v1/things/t_2", "application/json")]
    public async Task AnErrorIsWrittenInItsFamilysShapeWhateverTheAcceptHeaderAsksFor(string path, string mediaType)
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var message = root.TryGetProperty("error", out var error) ? error.GetProperty("message") : root.GetProperty("detail");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No thing found with id 't_2'.", message.GetString());
    }

    [Fact]
    public async Task JsonDeclaredInAnotherCharsetThanUtf8IsRefusedWith415()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        using var content = new StringContent("{\"name\":\"a\"}");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-7" };

        using var response = await host.CreateClient().PostAsync(new Uri("/api/things", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/v1/things")]
    [InlineData("/api/things")]
    public async Task ABodyOfATypeTheOperationDoesNotTakeIsRefusedWith415SayingToSendTheTypeItTakes(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        // What `curl -d '{...}'` sends when the command names no content-type.
        using var response = await host.CreateClient().PostAsync(new Uri(path, UriKind.Relative),
            new StringContent("{\"name\":\"a\"}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var message = root.TryGetProperty("error", out var error) ? error.GetProperty("message") : root.GetProperty("detail");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("This operation does not take a body of type application/x-www-form-urlencoded: send the type it takes in the "
            + "content-type header (application/json for JSON; /docs shows what each operation takes).", message.GetString());
    }

    [Theory]
    [InlineData("/v1/things")]
    [InlineData("/api/things")]
    public async Task ABodyWithoutAContentTypeIsRefusedWith415InTheClientsWordsNotTheFrameworks(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri(path, UriKind.Relative), new ByteArrayContent("{\"name\":\"a\"}"u8.ToArray()));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("This operation does not take a body without a content-type", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Expected a supported JSON media type", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/invalid", 400, "Bad Request", "invalid_request")]
    [InlineData("/api/missing", 404, "Not Found", "not_found")]
    [InlineData("/api/refused", 403, "Forbidden", "permission_denied")]
    [InlineData("/api/things/t1", 404, "Not Found", "not_found")]
    public async Task EveryNativeProblemIsTitledByItsStatusAndCarriesACodeAndADetail(string path, int status, string title, string code)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri(path, UriKind.Relative));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task AnApiExceptionsParamIsOpenAIsParamOnV1AndAProblemExtensionElsewhere()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        using var client = host.CreateClient();

        using var openAI = await client.GetAsync(new Uri("/v1/picky", UriKind.Relative));
        using var native = await client.GetAsync(new Uri("/api/picky", UriKind.Relative));

        var error = JsonDocument.Parse(await openAI.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(("temperature", "invalid_temperature"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal("temperature", JsonDocument.Parse(await native.Content.ReadAsStringAsync()).RootElement.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ABodyThatDoesNotBindNamesTheFieldItFailedAt()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri("/v1/things", UriKind.Relative),
            new StringContent("""{"name":["not","a","string"]}""", System.Text.Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("name", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/v1/notes", "\\ud800 alone")]
    [InlineData("/api/notes", "\\ud800 alone")]
    [InlineData("/v1/notes", "alone \\udc00")]
    public async Task TextWithALoneSurrogateEscapeIsABadRequestEvenWhenItIsReadAfterBinding(string path, string escaped)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        // Python's json.dumps writes an unpaired surrogate as this escape; it is valid JSON but no Unicode text.
        using var response = await host.CreateClient().PostAsync(new Uri(path, UriKind.Relative),
            new StringContent($$"""{"text":"{{escaped}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = path.StartsWith("/v1", StringComparison.Ordinal)
            ? root.GetProperty("error").GetProperty("message").GetString()
            : root.GetProperty("detail").GetString();
        Assert.StartsWith("The request body has text that is not valid Unicode", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextThatIsNotUtf8IsABadRequestEvenWhenItIsReadAfterBinding()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        var bytes = System.Text.Encoding.UTF8.GetBytes("""{"text":"x"}""").ToList();
        bytes.Insert(9, 0xC3); // a lead byte without its continuation
        using var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await host.CreateClient().PostAsync(new Uri("/v1/notes", UriKind.Relative), content);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("/v1/things")]
    [InlineData("/api/things")]
    public async Task TextWithANulCharacterIsABadRequestThatNamesTheField(string path)
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri(path, UriKind.Relative),
            new StringContent("""{"name":"a\u0000b"}""", System.Text.Encoding.UTF8, "application/json"));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (message, param) = path.StartsWith("/v1", StringComparison.Ordinal)
            ? (root.GetProperty("error").GetProperty("message").GetString(), root.GetProperty("error").GetProperty("param").GetString())
            : (root.GetProperty("detail").GetString(), root.GetProperty("param").GetString());
        Assert.Equal("Text must not contain the NUL character (\\u0000).", message);
        Assert.Equal("name", param);
    }

    [Fact]
    public async Task PostgreSqlRefusingANulInTextIsABadRequestNotAFailureOfOurs()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().PostAsync(new Uri("/v1/stored", UriKind.Relative), null);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Text must not contain the NUL character (\\u0000).", error.GetProperty("message").GetString());
    }
}
