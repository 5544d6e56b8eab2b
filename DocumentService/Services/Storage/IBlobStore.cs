namespace DocumentService.Services.Storage;

/// <summary>
/// Where original file bytes live: local disk by default, an S3 bucket when configured. Keys are made by the
/// service from ids (never from a client's filename). A put is all or nothing: a reader never sees half a blob.
/// </summary>
public interface IBlobStore
{
    Task PutAsync(string key, byte[] content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes as a stream the caller disposes, or null when there is no such blob.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deleting a blob that is not there is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
