using Microsoft.Extensions.Options;

namespace DocumentService.Services.Storage;

/// <summary>
/// Blobs as files under a directory (.data/blobs by default). A blob is written to a temporary file beside its final
/// place and renamed, so a crash mid-write leaves no half file under the real name. A key's folder (`doc_x/` of
/// `doc_x/v2`) goes with its last blob, and a put whose folder vanished under it makes it again.
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    private readonly string _root;

    public FileBlobStore(IOptions<DocumentsOptions> options, IHostEnvironment environment)
    {
        _root = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.BlobDirectory));
        Directory.CreateDirectory(_root);
    }

    public async Task PutAsync(string key, byte[] content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = CreateInFolder(temporary))
            {
                await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (DirectoryNotFoundException)
            {
                // Moved into place, then deleted with its folder by a concurrent delete: nothing of it is left.
            }
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true)
            : null;
        return Task.FromResult(stream);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Its folder went with its last blob: this blob is gone already.
            return Task.CompletedTask;
        }
        var folder = Path.GetDirectoryName(path)!;
        if (folder != _root)
        {
            try
            {
                // Removes the folder only if empty, atomically: a put in progress holds its temporary file there.
                Directory.Delete(folder, recursive: false);
            }
            catch (IOException)
            {
                // Not empty (another version, or a put in progress), or already gone: either way it is not ours to remove.
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Opens a new file, making its folder first. A delete of the folder's last blob may remove the folder between the
    /// two steps (once the file exists the folder is not empty, so it stays), or inside CreateDirectory itself, which
    /// then reports the folder as an existing file; either way the folder is made again.
    /// </summary>
    private static FileStream CreateInFolder(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>Keys are ours, but the check costs nothing and keeps every path inside the root.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Blob key '{key}' leaves the blob directory.");
        }
        return path;
    }
}
