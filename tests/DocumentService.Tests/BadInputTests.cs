using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>Every kind of bad upload gets a clear 4xx, and leaves no record, no blob and no version change behind.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, byte[], HttpStatusCode> BadFiles() => new()
    {
        { "zero byte file", "empty.txt", [], HttpStatusCode.BadRequest },
        { "unknown extension", "setup.exe", [0x4D, 0x5A, 0x90, 0x00], HttpStatusCode.UnsupportedMediaType },
        { "binary posing as text", "photo.txt", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0xFF, 0xFE], HttpStatusCode.UnsupportedMediaType },
        { "invalid utf-8", "latin1.md", [0x43, 0x61, 0x66, 0xE9, 0x20, 0x6E, 0x6F, 0x69, 0x72], HttpStatusCode.UnsupportedMediaType },
        { "traversal name", "../../etc/passwd.txt", SampleFiles.Utf8("root:x:0:0"), HttpStatusCode.BadRequest },
        { "windows traversal name", "..\\..\\boot.ini.txt", SampleFiles.Utf8("boot"), HttpStatusCode.BadRequest },
        { "control characters in name", "evil\u0007name.txt", SampleFiles.Utf8("beep"), HttpStatusCode.BadRequest },
        { "right-to-left override in name", "invoice\u202Etxt.exe", SampleFiles.Utf8("hidden"), HttpStatusCode.BadRequest },
        { "corrupt docx", "broken.docx", [.. "PK\u0003\u0004"u8, .. new byte[200]], HttpStatusCode.UnprocessableEntity },
        { "truncated docx", "cut.docx", SampleFiles.Docx("Some text that will be cut off.")[..300], HttpStatusCode.UnprocessableEntity },
        { "not a pdf", "fake.pdf", SampleFiles.Utf8("just words"), HttpStatusCode.UnprocessableEntity },
        { "damaged pdf", "damaged.pdf", SampleFiles.Utf8("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nno trailer"), HttpStatusCode.UnprocessableEntity },
        { "invalid json", "bad.json", SampleFiles.Utf8("{\"a\": [1, 2"), HttpStatusCode.UnprocessableEntity },
        { "whitespace only", "blank.txt", SampleFiles.Utf8("   \n\n\t  "), HttpStatusCode.UnprocessableEntity },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task ABadFileIsRefusedAndNothingIsStored(string why, string filename, byte[] content, HttpStatusCode expected)
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_bad");
        using var client = host.ClientFor("usr_bad");

        using var response = await client.UploadAsync(assistant, "rag", filename, content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{why}: {(int)response.StatusCode} {body}");
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("pdftotext", body, StringComparison.Ordinal);
        await AssertNothingStoredAsync(host, client, assistant, response);
    }

    [Fact]
    public async Task AFakePdfIsTheFileFaultBeforeTheAssistantIsEvenAskedFor()
    {
        await using var host = await DocumentsHost.StartAsync();
        using var client = host.ClientFor("usr_fake");

        using var response = await client.UploadAsync("asst_nobody_has_this", "rag", "report.pdf", SampleFiles.Utf8("not a pdf"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task AZipBombDocxIsRefusedWithoutInflatingIt()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_bomb");
        using var client = host.ClientFor("usr_bomb");
        var bomb = SampleFiles.ZipBombDocx(200L * 1024 * 1024);
        Assert.True(bomb.Length < 1024 * 1024, "the sample must be small on the wire");

        using var response = await client.UploadAsync(assistant, "rag", "bomb.docx", bomb);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("zip bomb", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(host, client, assistant, response);
    }

    [Fact]
    public async Task AFileOverTheConfiguredLimitIsRefusedWith413()
    {
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:MaxUploadBytes", "1000"));
        var assistant = host.NewAssistant("usr_big");
        using var client = host.ClientFor("usr_big");

        using var response = await client.UploadAsync(assistant, "rag", "big.txt", SampleFiles.Utf8(new string('a', 1001)));
        using var fits = await client.UploadAsync(assistant, "rag", "fits.txt", SampleFiles.Utf8(new string('a', 1000)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        var listed = await client.ListAsync(assistant);
        Assert.Equal("fits.txt", Assert.Single(listed.EnumerateArray()).GetProperty("filename").GetString());
    }

    [Fact]
    public async Task APromptDocumentLongerThanEveryQuestionCanCarryIsRefusedWith413PointingToRag()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_long_prompt");
        using var client = host.ClientFor("usr_long_prompt");

        using var tooLong = await client.UploadAsync(assistant, "prompt", "rules.txt", SampleFiles.Utf8(new string('a', 16_001)));
        using var fits = await client.UploadAsync(assistant, "prompt", "short-rules.txt", SampleFiles.Utf8(new string('a', 16_000)));
        using var searched = await client.UploadAsync(assistant, "rag", "manual.txt", SampleFiles.Utf8(new string('a', 16_001)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        var problem = await tooLong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("document_too_large", problem.GetProperty("code").GetString());
        Assert.Contains("type rag", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(HttpStatusCode.Created, searched.StatusCode);
    }

    [Fact]
    public async Task ASmallFileThatUnpacksToMoreTextThanTheLimitIsRefusedWith413BeforeAnyOfItIsEmbedded()
    {
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:MaxTextChars", "2000"));
        var assistant = host.NewAssistant("usr_much_text");
        using var client = host.ClientFor("usr_much_text");
        var line = "The quarterly report lists every regional office and its staff count in detail.";

        using var pdf = await client.UploadAsync(assistant, "rag", "long.pdf", SampleFiles.Pdf([.. Enumerable.Repeat(line, 40)]));
        using var text = await client.UploadAsync(assistant, "rag", "long.txt", SampleFiles.Utf8(string.Join('\n', Enumerable.Repeat(line, 40))));
        using var fits = await client.UploadAsync(assistant, "rag", "short.pdf", SampleFiles.Pdf([.. Enumerable.Repeat(line, 10)]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, pdf.StatusCode);
        Assert.Equal("document_too_large", (await pdf.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, text.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        var listed = await client.ListAsync(assistant);
        Assert.Equal("short.pdf", Assert.Single(listed.EnumerateArray()).GetProperty("filename").GetString());
    }

    [Fact]
    public async Task AnUploadWithoutAFileOrWithAWrongTypeOrNoAssistantIsABadRequest()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_form");
        using var client = host.ClientFor("usr_form");

        using var noFile = new MultipartFormDataContent { { new StringContent(assistant), "assistant_id" }, { new StringContent("rag"), "type" } };
        using var missingFile = await client.PostAsync(new Uri("/api/documents", UriKind.Relative), noFile);
        using var wrongType = await client.PostAsync(new Uri("/api/documents", UriKind.Relative),
            DocumentsClient.Form("a.txt", SampleFiles.Utf8("hello"), ("assistant_id", assistant), ("type", "secret")));
        using var noAssistant = await client.PostAsync(new Uri("/api/documents", UriKind.Relative),
            DocumentsClient.Form("a.txt", SampleFiles.Utf8("hello"), ("type", "rag")));
        using var json = await client.PostAsync(new Uri("/api/documents", UriKind.Relative),
            new StringContent("{}", new MediaTypeHeaderValue("application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, missingFile.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noAssistant.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("application/problem+json", missingFile.Content.Headers.ContentType?.MediaType);
        Assert.Empty(host.BlobFiles());
        Assert.Equal(0, (await client.ListAsync(assistant)).GetArrayLength());
    }

    private static async Task AssertNothingStoredAsync(DocumentsHost host, HttpClient client, string assistant, HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Empty(host.BlobFiles());
        Assert.Equal(0, (await client.ListAsync(assistant)).GetArrayLength());
        Assert.Equal("0", (await client.KnowledgeAsync(assistant)).GetProperty("version").GetString());
    }
}
