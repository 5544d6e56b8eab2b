using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;

namespace VoiceService.Services.Audio;

/// <summary>
/// Reads an uploaded recording from a multipart form and checks it: a format other than AudioFormats.Accepted is a
/// 415, bytes that are not the audio they claim (or nothing at all) a 400, a recording too large or too long a 413.
/// </summary>
public sealed class RecordingReader(AudioConverter converter, IOptions<VoiceOptions> options)
{
    /// <summary>Reads the request's form within the upload limit; anything but multipart (or url-encoded) is a 415.</summary>
    public async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "Send the recording as multipart/form-data.",
                "Unsupported media type", "unsupported_media_type");
        }
        var limit = options.Value.MaxUploadBytes;
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (request.ContentLength > limit + MultipartOverhead)
        {
            // Refused by its length alone (Kestrel would fail the first read), the body is still taken in after the
            // answer so that a proxy still sending it (the gateway) passes the 413 on instead of a broken connection.
            size?.MaxRequestBodySize = request.ContentLength;
            throw TooLarge(limit);
        }
        size?.MaxRequestBodySize = limit + MultipartOverhead;
        try
        {
            return await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(limit);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // A truncated or malformed multipart body.
            throw new ApiException(StatusCodes.Status400BadRequest, "The multipart body is malformed or incomplete.",
                "Bad request", "invalid_multipart");
        }
    }

    private const long MultipartOverhead = 64 * 1024;

    private static ApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than {limit} bytes.", "Upload too large", "upload_too_large");

    public async Task<Recording> ReadAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "The form has no audio file (field 'file' or 'audio').", "Missing audio", "missing_file") { Param = "file" };
        }
        if (file.Length == 0)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "The audio file is empty.", "Empty audio", "empty_audio") { Param = "file" };
        }
        if (file.Length > options.Value.MaxUploadBytes)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"The audio file is larger than {options.Value.MaxUploadBytes} bytes.",
                "Upload too large", "upload_too_large");
        }

        var data = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
        }

        var declared = AudioFormats.Declared(file.FileName, file.ContentType);
        var sniffed = AudioFormats.Sniff(data);
        if (declared == "other" || (declared is null && sniffed is null))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                $"Unsupported audio format; send one of: {string.Join(", ", AudioFormats.Accepted)}.", "Unsupported media type", "unsupported_media_type");
        }
        if (sniffed is null || (declared is not null && declared != sniffed))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"The file is not {declared ?? sniffed} audio.", "Invalid audio", "invalid_audio") { Param = "file" };
        }
        var wav = await converter.ToRecognitionWavAsync(data, sniffed, cancellationToken).ConfigureAwait(false);
        return new Recording(data, sniffed, wav);
    }
}
