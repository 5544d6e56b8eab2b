using System.Text.Json;

namespace Cli.Tests;

[Collection(PlatformCollection.Name)]
public sealed class AssistantTests(Platform platform) : IDisposable
{
    private readonly Chatbot _chatbot = new(platform);

    [Fact]
    public async Task AnAssistantCreatedWithInstructionsFileToolAndFilesIsListedAndShown()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var instructions = _chatbot.File("instructions.md", "Answer from the handbook only.");
        var handbook = _chatbot.File("handbook.txt", Handbook.Text);
        var faq = _chatbot.File("faq.md", "Parking is free on level 2.");

        var created = await _chatbot.RunAsync("assistants", "create", "HR helper", "--model", "gpt-4o-mini",
            "--instructions-file", instructions, "--tool", "file_search", "--file", handbook, "--file", faq);
        var id = created.Output.Trim();
        var table = await _chatbot.RunAsync("assistants", "list");
        var json = await _chatbot.RunAsync("assistants", "list", "--json");
        var shown = await _chatbot.RunAsync("assistants", "show", "hr HELPER");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("asst_", id, StringComparison.Ordinal);
        Assert.Contains("handbook.txt: added", created.Error, StringComparison.Ordinal);
        Assert.Matches(@"faq\.md: added \(doc_\w+, 1 chunk\)", created.Error);
        Assert.Matches($@"{id}\s+HR helper\s+gpt-4o-mini\s+file_search", table.Output);
        var listed = Assert.Single(JsonDocument.Parse(json.Output).RootElement.EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.Equal("Answer from the handbook only.", listed.GetProperty("instructions").GetString());
        Assert.Equal("file_search", listed.GetProperty("tools")[0].GetProperty("type").GetString());
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains($"id:           {id}", shown.Output, StringComparison.Ordinal);
        Assert.Contains("files:        2", shown.Output, StringComparison.Ordinal);
        Assert.Matches(@"handbook\.txt\s+rag", shown.Output);
    }

    [Fact]
    public async Task EditingReplacesAFileOfTheSameNameAndKeepsWhatItIsNotGiven()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Policies", "--instructions", "Be brief.", "--file", _chatbot.File("handbook.txt", Handbook.Text));
        Directory.CreateDirectory(Path.Combine(_chatbot.Home, "v2"));
        var revised = Path.Combine(_chatbot.Home, "v2", "handbook.txt");
        File.WriteAllText(revised, Handbook.Revised);

        var edited = await _chatbot.RunAsync("assistants", "edit", "Policies", "--model", "local-model", "--file", revised);
        var assistant = JsonDocument.Parse((await _chatbot.RunAsync("assistants", "show", id, "--json")).Output).RootElement;
        var documents = JsonDocument.Parse((await _chatbot.RunAsync("documents", "list", "--assistant", id, "--json")).Output).RootElement;
        var answer = await _chatbot.RunAsync("ask", id, "How many vacation days do employees get per year?");

        Assert.True(edited.ExitCode == 0, edited.ToString());
        Assert.Contains("handbook.txt: replaced", edited.Error, StringComparison.Ordinal);
        Assert.Equal("local-model", assistant.GetProperty("model").GetString());
        Assert.Equal("Policies", assistant.GetProperty("name").GetString());
        Assert.Equal("Be brief.", assistant.GetProperty("instructions").GetString());
        var document = Assert.Single(documents.EnumerateArray());
        Assert.Equal(2, document.GetProperty("version").GetInt32());
        Assert.Contains("30 vacation days", answer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocumentsAreUploadedDownloadedAndDeletedByTheirOwnCommands()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Docs");

        var uploaded = await _chatbot.RunAsync("documents", "upload", _chatbot.File("notes.txt", "The office opens at 8."), "--assistant", id, "--type", "prompt", "--json");
        var document = JsonDocument.Parse(uploaded.Output).RootElement[0];
        var documentId = document.GetProperty("id").GetString()!;
        var target = Path.Combine(_chatbot.Home, "copy.txt");
        var downloaded = await _chatbot.RunAsync("documents", "download", documentId, "--output", target);
        var deleted = await _chatbot.RunAsync("documents", "delete", documentId);
        var remaining = await _chatbot.RunAsync("documents", "list", "--assistant", id, "--json");
        var gone = await _chatbot.RunAsync("documents", "download", documentId, "--output", target);

        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());
        Assert.Equal("prompt", document.GetProperty("type").GetString());
        Assert.Equal(0, downloaded.ExitCode);
        Assert.Equal("The office opens at 8.", File.ReadAllText(target));
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(remaining.Output).RootElement.GetArrayLength());
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
        Assert.Contains($"No document found with id '{documentId}'", gone.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("we\"ird <name>.txt")]
    [InlineData("caf\u00e9 r\u00e9sum\u00e9 (2).txt")]
    public async Task AFileNameWithQuotesBracketsOrALineBreakIsUploadedUnderThatName(string name)
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Odd names");

        var uploaded = await _chatbot.RunAsync("documents", "upload", _chatbot.File(name, "Lunch is at noon."), "--assistant", id, "--json");

        Assert.True(uploaded.ExitCode == 0, uploaded.ToString());
        Assert.Equal(name, JsonDocument.Parse(uploaded.Output).RootElement[0].GetProperty("filename").GetString());
    }

    [Fact]
    public async Task AFileNameWithALineBreakReachesThePlatformWhichRefusesItInOneLine()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Broken names");

        var uploaded = await _chatbot.RunAsync("documents", "upload", _chatbot.File("line\nbreak.txt", "Lunch is at noon."), "--assistant", id);

        Assert.True(uploaded.ExitCode == ExitCodes.Usage, uploaded.ToString());
        Assert.Equal("error: The file name contains control or invisible formatting characters.", uploaded.Error.Trim());
    }

    [Fact]
    public async Task ADownloadLeavesAnExistingFileAloneUnlessForced()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Downloads");
        var uploaded = await _chatbot.RunAsync("documents", "upload", _chatbot.File("rules.txt", "Badges are worn at all times."), "--assistant", id, "--json");
        var documentId = JsonDocument.Parse(uploaded.Output).RootElement[0].GetProperty("id").GetString()!;
        var target = _chatbot.File("mine.txt", "My own notes.");

        var refused = await _chatbot.RunAsync("documents", "download", documentId, "--output", target);
        var kept = File.ReadAllText(target);
        var forced = await _chatbot.RunAsync("documents", "download", documentId, "--output", target, "--force");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains($"{target} already exists; pass --force to overwrite it.", refused.Error, StringComparison.Ordinal);
        Assert.Equal("My own notes.", kept);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("Badges are worn at all times.", File.ReadAllText(target));
    }

    [Fact]
    public async Task DeletingAnAssistantTakesItsFilesAndAnUnknownOneIsSaidInWords()
    {
        await _chatbot.UseAccountOfAsync(typeof(AssistantTests));
        var id = await _chatbot.CreateAssistantAsync("Temporary", "--file", _chatbot.File("handbook.txt", Handbook.Text));

        var deleted = await _chatbot.RunAsync("assistants", "delete", "Temporary");
        var documents = await _chatbot.RunAsync("documents", "list", "--json");
        var again = await _chatbot.RunAsync("assistants", "delete", id);
        var byName = await _chatbot.RunAsync("ask", "Temporary", "Hello?");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("and 1 file(s)", deleted.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(JsonDocument.Parse(documents.Output).RootElement.EnumerateArray(), d => d.GetProperty("assistant_id").GetString() == id);
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Contains(id, again.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, byName.ExitCode);
        Assert.Equal("", byName.Output);
    }

    public void Dispose() => _chatbot.Dispose();
}
