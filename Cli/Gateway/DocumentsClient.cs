using System.Net.Http.Headers;
using System.Text;

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
        content.Headers.ContentDisposition = FileDisposition(Path.GetFileName(file));
        form.Add(content);
        using var request = new HttpRequestMessage(method, path) { Content = form };
        using var response = await http.SendAsync(request, cancellationToken);
        await ApiError.EnsureSuccessAsync(response, cancellationToken);
        return await Json.ReadAsync<DocumentInfo>(response, http.BaseAddress, cancellationToken);
    }

    /// <summary>
    /// The part's name as RFC 6266 says: the exact name in filename* (UTF-8, percent-encoded), which the platform reads
    /// first, and a plain ASCII stand-in in filename. .NET's own (Add with a file name) throws on quotes and line breaks.
    /// </summary>
    private static ContentDispositionHeaderValue FileDisposition(string name)
    {
        var plain = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            plain.Append(c is >= ' ' and <= '~' and not ('"' or '\\') ? c : '_');
        }
        var disposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = $"\"{plain}\"" };
        disposition.Parameters.Add(new NameValueHeaderValue("filename*", "UTF-8''" + Uri.EscapeDataString(name)));
        return disposition;
    }
}
