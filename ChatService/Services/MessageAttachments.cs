using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// A message's `attachments` as OpenAI takes them (`[{file_id, tools: [{type}]}]`). Files for file_search go into the
/// thread's vector store, which the first such attachment makes and names in the thread's tool_resources, as OpenAI
/// does; code_interpreter is kept as given and runs nothing here (as in `tools`).
/// </summary>
public static class MessageAttachments
{
    public const int MaxPerMessage = 10;

    /// <summary>Validates what a request gave and returns it as stored ("[]" when it gave none).</summary>
    public static string Read(JsonElement? given)
    {
        if (given is not { ValueKind: not JsonValueKind.Null } value)
        {
            return "[]";
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxPerMessage)
        {
            throw Invalid($"attachments must be an array of at most {MaxPerMessage} objects with a file_id and tools.");
        }
        var stored = new JsonArray();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("file_id", out var fileId)
                || fileId.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(fileId.GetString()))
            {
                throw Invalid("Each attachment needs a file_id.");
            }
            var tools = new JsonArray();
            if (item.TryGetProperty("tools", out var listed) && listed.ValueKind != JsonValueKind.Null)
            {
                if (listed.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid("An attachment's tools must be an array.");
                }
                foreach (var tool in listed.EnumerateArray())
                {
                    var type = Json.StringOf(tool, "type");
                    if (type is not ("file_search" or "code_interpreter"))
                    {
                        throw Invalid("An attachment's tools are {\"type\":\"file_search\"} or {\"type\":\"code_interpreter\"}.");
                    }
                    tools.Add(new JsonObject { ["type"] = type });
                }
            }
            stored.Add(new JsonObject { ["file_id"] = fileId.GetString(), ["tools"] = tools });
        }
        return stored.ToJsonString();
    }

    /// <summary>Puts the messages' file_search files into the thread's vector store, making the store on the first.</summary>
    public static async Task AddToThreadStoreAsync(
        ThreadEntity thread, IEnumerable<MessageEntity> messages, FileSearchClient files, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var fileIds = messages.SelectMany(m => FileSearchFiles(m.AttachmentsJson)).Distinct(StringComparer.Ordinal).ToList();
        if (fileIds.Count == 0)
        {
            return;
        }
        if (ToolResources.StoreIds(thread.ToolResourcesJson) is [var store, ..])
        {
            await files.AddFilesAsync(store, fileIds, caller, cancellationToken).ConfigureAwait(false);
            return;
        }
        var created = await files.CreateStoreAsync($"thread {thread.Id}", fileIds, caller, cancellationToken).ConfigureAwait(false);
        thread.ToolResourcesJson = ToolResources.Stored([created]);
    }

    private static IEnumerable<string> FileSearchFiles(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "[]" : json);
        return document.RootElement.EnumerateArray()
            .Where(a => a.GetProperty("tools").EnumerateArray().Any(t => t.GetProperty("type").GetString() == "file_search"))
            .Select(a => a.GetProperty("file_id").GetString()!)
            .ToList();
    }

    private static ServiceDefaults.Errors.ApiException Invalid(string message) => Access.BadRequest(message, "invalid_attachments", "attachments");
}
