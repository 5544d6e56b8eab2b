using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ServiceDefaults.Errors;

namespace DocumentService.Services;

public sealed record UploadedFile(string Filename, string? MediaType, byte[] Content);

public sealed record UploadForm(IReadOnlyDictionary<string, string> Fields, UploadedFile? File)
{
    public string? Field(string name) => Fields.TryGetValue(name, out var value) && value.Trim().Length > 0 ? value.Trim() : null;
}

/// <summary>
/// Reads a multipart upload by hand rather than through form binding: the file is read into memory only up to the
/// size limit (one byte more means 413, and the rest is never read), text fields are capped, and the filename is
/// validated before anything else happens.
/// </summary>
public static class UploadReader
{
    private const int MaxFieldLength = 4096;
    private const int MultipartOverhead = 64 * 1024;

    public static async Task<UploadForm> ReadAsync(HttpRequest request, long maxFileBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                "The upload must be multipart/form-data with a 'file' part.", "Unsupported media type", "unsupported_media_type");
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "The multipart boundary is missing.", "Bad request");
        }
        var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (request.ContentLength > maxFileBytes + MultipartOverhead)
        {
            // Refused by its length alone, the body is still taken in (Kestrel drains it after the answer, for at most
            // a few seconds): a proxy still sending it (the gateway) then passes the 413 on instead of a broken
            // connection, which it would answer as 503 and SDKs would retry, uploading it again.
            limit?.MaxRequestBodySize = request.ContentLength;
            throw TooLarge(maxFileBytes);
        }
        limit?.MaxRequestBodySize = maxFileBytes + MultipartOverhead;

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        UploadedFile? file = null;
        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (!name.Equals("file", StringComparison.OrdinalIgnoreCase) || file is not null)
                    {
                        throw new ApiException(StatusCodes.Status400BadRequest, "Send exactly one file, in the part named 'file'.", "Bad request") { Param = "file" };
                    }
                    var filename = FileNames.Validate(
                        disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                    var content = await ReadLimitedAsync(section.Body, maxFileBytes, cancellationToken).ConfigureAwait(false)
                        ?? throw TooLarge(maxFileBytes);
                    file = new UploadedFile(filename, section.ContentType, content);
                }
                else
                {
                    var bytes = await ReadLimitedAsync(section.Body, MaxFieldLength, cancellationToken).ConfigureAwait(false)
                        ?? throw new ApiException(StatusCodes.Status400BadRequest, $"The field '{name}' is too long.", "Bad request") { Param = name };
                    fields[name] = Encoding.UTF8.GetString(bytes);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxFileBytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "The multipart body is malformed or incomplete.", "Bad request");
        }
        return new UploadForm(fields, file);
    }

    /// <summary>The whole stream, or null as soon as it proves longer than <paramref name="max"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ApiException TooLarge(long max) => new(StatusCodes.Status413PayloadTooLarge,
        $"The file is larger than the limit of {max} bytes.", "Payload too large", "file_too_large") { Param = "file" };
}
