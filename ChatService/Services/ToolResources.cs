using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using ServiceDefaults.Identity;

namespace ChatService.Services;

/// <summary>
/// tool_resources of assistants and threads: `file_search.vector_store_ids`, each checked with document-service when
/// set (a store the caller cannot reach is a 400, as OpenAI answers). An assistant's own documents are the vector
/// store `vs_` + its id: it is always shown first and always searched, so it is never stored.
/// </summary>
public static class ToolResources
{
    public const int MaxVectorStores = 10;

    public static string OwnStore(string assistantId) => "vs_" + assistantId;

    /// <summary>
    /// The vector stores an assistant's answers search besides its own documents: those its tool_resources name, when
    /// it offers the file_search tool (OpenAI's assistants search them only then). Every way of asking it does so.
    /// </summary>
    public static IReadOnlyList<string> SearchedBy(AssistantEntity assistant)
    {
        if (assistant.ToolResourcesJson is "{}" or "")
        {
            return [];
        }
        using var tools = JsonDocument.Parse(assistant.ToolsJson);
        return tools.RootElement.EnumerateArray().Any(t => Json.StringOf(t, "type") == "file_search") ? StoreIds(assistant.ToolResourcesJson) : [];
    }

    public static IReadOnlyList<string> StoreIds(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return document.RootElement.TryGetProperty("file_search", out var search) && search.TryGetProperty("vector_store_ids", out var ids)
            ? ids.EnumerateArray().Select(i => i.GetString()!).ToList()
            : [];
    }

    public static JsonElement Show(string json, string? ownStore)
    {
        var ids = (ownStore is null ? [] : new[] { ownStore }).Concat(StoreIds(json)).ToList();
        return ids.Count == 0 ? Json.EmptyObject : Json.Parse(Stored(ids));
    }

    /// <summary>Validates what a request gave and returns it as stored; null when the request gave nothing.</summary>
    public static async Task<string?> ReadAsync(
        JsonElement? given, string? ownStore, FileSearchClient files, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (given is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Access.BadRequest("tool_resources must be an object.", "invalid_tool_resources", "tool_resources");
        }
        if (!value.TryGetProperty("file_search", out var search) || search.ValueKind == JsonValueKind.Null)
        {
            return "{}";
        }
        if (search.ValueKind != JsonValueKind.Object)
        {
            throw Access.BadRequest("tool_resources.file_search must be an object.", "invalid_tool_resources", "tool_resources.file_search");
        }
        if (search.TryGetProperty("vector_stores", out var create) && create.ValueKind != JsonValueKind.Null)
        {
            throw Access.BadRequest("tool_resources.file_search.vector_stores is not supported: create the store with POST /v1/vector_stores and pass its id.",
                "unsupported_tool_resources");
        }
        if (!search.TryGetProperty("vector_store_ids", out var ids) || ids.ValueKind != JsonValueKind.Array
            || ids.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(i.GetString())))
        {
            throw Access.BadRequest("tool_resources.file_search.vector_store_ids must be an array of vector store ids.", "invalid_tool_resources", "tool_resources");
        }
        var list = ids.EnumerateArray().Select(i => i.GetString()!).Where(i => i != ownStore).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count > MaxVectorStores)
        {
            throw Access.BadRequest($"tool_resources.file_search.vector_store_ids may name at most {MaxVectorStores} stores.", "invalid_tool_resources", "tool_resources");
        }
        foreach (var id in list)
        {
            if (!await files.ExistsAsync(id, caller, cancellationToken).ConfigureAwait(false))
            {
                throw Access.BadRequest($"No vector store found with id '{id}'.", "invalid_tool_resources", "tool_resources");
            }
        }
        return list.Count == 0 ? "{}" : Stored(list);
    }

    /// <summary>tool_resources naming these vector stores, as stored.</summary>
    public static string Stored(IEnumerable<string> ids) =>
        new JsonObject { ["file_search"] = new JsonObject { ["vector_store_ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]) } }.ToJsonString();
}
