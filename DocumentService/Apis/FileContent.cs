using DocumentService.Model;
using DocumentService.Services.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Errors;

namespace DocumentService.Apis;

/// <summary>The original bytes, with their content type and filename as an attachment (never rendered inline).</summary>
public static class FileContent
{
    public static async Task<FileStreamHttpResult> OpenAsync(Document document, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var stream = await blobs.OpenReadAsync(document.BlobKey, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, $"The content of '{document.Id}' is missing from storage.", "Not found", "not_found");
        return TypedResults.File(stream, document.ContentType, document.Filename);
    }
}
