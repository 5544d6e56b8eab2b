using DocumentService.Tests.Support;

namespace DocumentService.Tests;

/// <summary>
/// Every supported type goes in through the API as a prompt document, and the text the chat service would be given
/// comes back out of the knowledge endpoint: extraction is checked end to end, on files the tests make themselves.
/// </summary>
public sealed class ExtractionTests
{
    public static TheoryData<string, byte[], string[], string[]> Samples() => new()
    {
        { "notes.txt", SampleFiles.Utf8("\uFEFFThe parking garage opens at 6 am.\r\n\r\nVisitors use level two."), ["The parking garage opens at 6 am.", "Visitors use level two."], ["\uFEFF", "\r"] },
        { "guide.md", SampleFiles.Utf8("# Onboarding\n\nNew hires get a **laptop** and a [badge](http://x).\n\n- Day one: security training\n"), ["Onboarding", "New hires get a laptop and a badge.", "Day one: security training"], ["**", "](", "# "] },
        { "page.html", SampleFiles.Utf8("<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Refunds</h1><p>Refunds take 5&nbsp;days &amp; need a receipt.</p><script>alert('x')</script></body></html>"), ["Refunds", "Refunds take 5 days & need a receipt."], ["<p>", "alert", "color:red", "&amp;"] },
        { "config.json", SampleFiles.Utf8("{\"office\":{\"city\":\"Lisbon\",\"floors\":4},\"wifi\":[\"guest\",\"staff\"]}"), ["office.city: Lisbon", "office.floors: 4", "wifi[1]: staff"], ["{", "\""] },
        { "people.csv", SampleFiles.Utf8("name,role,phone\nAda,\"Engineer, senior\",555-0101\nBob,Support,555-0102\n"), ["name: Ada; role: Engineer, senior; phone: 555-0101", "name: Bob; role: Support"], ["\"Engineer"] },
        { "handbook.docx", SampleFiles.Docx("Holiday policy", "Employees receive 25 paid holidays each year."), ["Holiday policy", "Employees receive 25 paid holidays each year."], ["<w:", "PK"] },
        { "manual.pdf", SampleFiles.Pdf("Reset the router by holding the button for ten seconds.", "The status light turns (green) when ready."), ["Reset the router by holding the button for ten seconds.", "The status light turns (green) when ready."], ["Helvetica", "endobj"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task EachSupportedTypeIsExtractedToItsPlainText(string filename, byte[] content, string[] expected, string[] absent)
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_ext");
        using var client = host.ClientFor("usr_ext");

        var document = await client.UploadOkAsync(assistant, "prompt", filename, content);
        var knowledge = await client.KnowledgeAsync(assistant);

        var instruction = Assert.Single(knowledge.GetProperty("instructions").EnumerateArray());
        Assert.Equal(document.GetProperty("id").GetString(), instruction.GetProperty("document_id").GetString());
        Assert.Equal(filename, instruction.GetProperty("filename").GetString());
        var text = instruction.GetProperty("text").GetString()!;
        foreach (var phrase in expected)
        {
            Assert.Contains(phrase, text, StringComparison.Ordinal);
        }
        foreach (var phrase in absent)
        {
            Assert.DoesNotContain(phrase, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RagDocumentsOfEveryTypeAreSearchableByTheirContent()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_rag");
        using var client = host.ClientFor("usr_rag");

        await client.UploadOkAsync(assistant, "rag", "a.docx", SampleFiles.Docx("The cafeteria serves vegetarian lasagna on Thursdays."));
        await client.UploadOkAsync(assistant, "rag", "b.pdf", SampleFiles.Pdf("Firmware updates install automatically overnight."));
        await client.UploadOkAsync(assistant, "rag", "c.csv", SampleFiles.Utf8("room,capacity\nOrion,12\nVega,40\n"));

        var lasagna = await client.SearchAsync(assistant, "when is lasagna served?", 1);
        var firmware = await client.SearchAsync(assistant, "how do firmware updates install", 1);
        var room = await client.SearchAsync(assistant, "capacity of Vega", 1);

        Assert.Equal("a.docx", lasagna[0].GetProperty("filename").GetString());
        Assert.Contains("Thursdays", lasagna[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("b.pdf", firmware[0].GetProperty("filename").GetString());
        Assert.Contains("room: Vega; capacity: 40", room[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
