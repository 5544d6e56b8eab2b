using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace DocumentService.Services.Storage;

/// <summary>
/// Blobs in an S3 bucket (AWS, or any S3-compatible endpoint through ServiceURL with path-style addressing). S3
/// puts are atomic: an object appears whole or not at all. The bucket is created on first use if it is missing.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private volatile bool _bucketReady;

    public S3BlobStore(IOptions<DocumentsOptions> options)
    {
        var settings = options.Value;
        _bucket = settings.S3Bucket!;
        var config = new AmazonS3Config
        {
            AuthenticationRegion = settings.S3Region,
            // Checksums only when an operation demands them: S3-compatible servers vary in their support.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(settings.S3ServiceUrl))
        {
            config.ServiceURL = settings.S3ServiceUrl;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.S3Region);
        }
        _client = string.IsNullOrEmpty(settings.S3AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(settings.S3AccessKey, settings.S3SecretKey ?? ""), config);
    }

    public async Task PutAsync(string key, byte[] content, string contentType, CancellationToken cancellationToken = default)
    {
        await EnsureBucketAsync().ConfigureAwait(false);
        using var stream = new MemoryStream(content, writable: false);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = stream,
            ContentType = contentType,
            AutoCloseStream = false,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        await EnsureBucketAsync().ConfigureAwait(false);
        try
        {
            var response = await _client.GetObjectAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await EnsureBucketAsync().ConfigureAwait(false);
        await _client.DeleteObjectAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Until it has once succeeded: a failure (S3 not up yet) is retried by the next request.</summary>
    private async Task EnsureBucketAsync()
    {
        if (_bucketReady)
        {
            return;
        }
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Made earlier, by us or by whoever set the deployment up.
        }
        _bucketReady = true;
    }

    public void Dispose() => _client.Dispose();
}
