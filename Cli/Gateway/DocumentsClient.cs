using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Cli.Gateway;

public sealed record DocumentInfo(
    string Id, string AssistantId, string Type, string Filename, string ContentType, long Bytes, int Version,
    int ChunkCount, long CreatedAt, long UpdatedAt);

/// <summary>/api/documents: an assistant's knowledge files (rag: searched in passages; prompt: extra instructions).</summary>
public sealed class DocumentsClient(HttpClient http)
{
    public Task<IReadOnlyList<DocumentInfo>> ListAsync(string? assistantId, CancellationToken cancellationToken) =>
        http.ReadAllAsync<DocumentInfo>(
            assistantId is null ? "api/documents" : $"api/documents?assistant_id={Uri.EscapeDataString(assistantId)}", cancellationToken);

    public Task<DocumentInfo> UploadAsync(string assistantId, string type, string file, IProgress<long>? progress, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/documents", file, [("assistant_id", assistantId), ("type", type)], progress, cancellationToken);

    /// <summary>A new version of the document: same id, new content (and type).</summary>
    public Task<DocumentInfo> ReplaceAsync(string id, string type, string file, IProgress<long>? progress, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"api/documents/{Uri.EscapeDataString(id)}", file, [("type", type)], progress, cancellationToken);

    /// <returns>The answer, whose body is the original file; the caller disposes it.</returns>
    public async Task<HttpResponseMessage> DownloadAsync(string id, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync($"api/documents/{Uri.EscapeDataString(id)}/content", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await ApiError.EnsureSuccessAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"api/documents/{Uri.EscapeDataString(id)}", cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
    }

    private async Task<DocumentInfo> SendAsync(
        HttpMethod method, string path, string file, (string Name, string Value)[] fields, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        var content = new StreamContent(new ProgressStream(stream, progress));
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.Of(file));
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        form.Add(content, "file", Path.GetFileName(file));
        using var request = new HttpRequestMessage(method, path) { Content = form };
        using var response = await http.SendAsync(request, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<DocumentInfo>(Json.Options, cancellationToken))!;
    }
}
