using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// Deletes of the same object sent at the same time on real PostgreSQL: exactly one succeeds, every other one 404,
/// and the caller's other objects of the kind stay.
/// </summary>
public sealed class RacingDeletesTests
{
    private const int Racers = 8;

    [Theory]
    [InlineData("file")]
    [InlineData("vector store")]
    [InlineData("vector store file")]
    [InlineData("document")]
    public async Task OfDeletesRacingForOneObjectExactlyOneDeletesItAndTheOthersFindNothing(string kind)
    {
        var database = await (await SharedServers.PostgresAsync()).CreateDatabaseAsync("race");
        await using var host = await DocumentsHost.StartAsync(f => f.With("ConnectionStrings:docsdb", database));
        var user = "usr_doc_race";
        using var client = host.ClientFor(user);
        var assistant = host.NewAssistant(user);
        var doomed = await CreateAsync(client, kind, assistant, "Trains are booked two weeks ahead.");
        var kept = await CreateAsync(client, kind, assistant, "A broken laptop goes to the IT desk.");

        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await client.DeleteAsync(new Uri(doomed, UriKind.Relative));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(racers);

        var winners = answers.Where(a => a.Succeeded()).ToList();
        Assert.True(winners.Count == 1, string.Join("\n", answers.Select(a => $"{(int)a.StatusCode} {a.Body}")));
        Assert.All(answers.Where(a => !a.Succeeded()), a => Assert.Equal(HttpStatusCode.NotFound, a.StatusCode));
        if (kind != "document")
        {
            Assert.True(JsonDocument.Parse(winners[0].Body).RootElement.GetProperty("deleted").GetBoolean());
        }
        using var gone = await client.GetAsync(new Uri(doomed, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var stays = await client.GetAsync(new Uri(kept, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stays.StatusCode);
    }

    /// <summary>Makes one object of the kind and answers its path.</summary>
    private static async Task<string> CreateAsync(HttpClient client, string kind, string assistant, string text)
    {
        async Task<string> IdOf(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }
        async Task<string> FileAsync() => await IdOf(await client.PostAsync(new Uri("/v1/files", UriKind.Relative),
            DocumentsClient.Form("note.md", SampleFiles.Utf8(text), ("purpose", "assistants"))));
        async Task<string> StoreAsync(params string[] files) =>
            await IdOf(await client.PostAsJsonAsync(new Uri("/v1/vector_stores", UriKind.Relative), new { name = "Handbook", file_ids = files }));

        switch (kind)
        {
            case "file":
                return $"/v1/files/{await FileAsync()}";
            case "vector store":
                return $"/v1/vector_stores/{await StoreAsync()}";
            case "vector store file":
                var file = await FileAsync();
                return $"/v1/vector_stores/{await StoreAsync(file)}/files/{file}";
            case "document":
                return $"/api/documents/{(await client.UploadOkAsync(assistant, "rag", "note.md", SampleFiles.Utf8(text))).GetProperty("id").GetString()}";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}

internal static class AnswerExtensions
{
    public static bool Succeeded(this (HttpStatusCode StatusCode, string Body) answer) =>
        (int)answer.StatusCode is >= 200 and < 300;
}
