using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using ServiceDefaults.Errors;
using VoiceService.Services.Aws;

namespace VoiceService.Services.SpeechToText;

/// <summary>
/// AWS Transcribe: the recording goes to S3, a transcription job reads it, and the transcript JSON the job writes is
/// read back. The recording and the transcript are deleted afterwards: nothing of the user's voice stays behind.
/// </summary>
public sealed partial class TranscribeSpeechToText(AwsConnection aws, TimeProvider time, ILogger<TranscribeSpeechToText> logger) : ISpeechToText
{
    public string Language => aws.Options.LanguageCode.Split('-')[0].ToLowerInvariant();

    private const string TargetPrefix = "Transcribe.";
    private volatile bool _bucketReady;

    public async Task<string> TranscribeAsync(Recording recording, Vocabulary vocabulary, CancellationToken cancellationToken)
    {
        try
        {
            return await RunJobAsync(recording, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AwsServiceException or AmazonS3Exception or TimeoutException
            || (ex is InvalidOperationException && !cancellationToken.IsCancellationRequested))
        {
            throw new ApiException(StatusCodes.Status502BadGateway, "The speech service could not transcribe the recording.", "Speech service failed");
        }
    }

    private async Task<string> RunJobAsync(Recording recording, CancellationToken cancellationToken)
    {
        var options = aws.Options;
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);

        var jobName = "voice-" + Guid.NewGuid().ToString("N");
        var mediaKey = $"recordings/{jobName}.{recording.Format}";
        using (var media = new MemoryStream(recording.Original))
        {
            await aws.S3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = options.Bucket,
                Key = mediaKey,
                InputStream = media,
                ContentType = "audio/" + recording.Format,
            }, cancellationToken).ConfigureAwait(false);
        }

        string? transcriptUri = null;
        try
        {
            await aws.CallJsonAsync("transcribe", TargetPrefix + "StartTranscriptionJob", new Dictionary<string, object>
            {
                ["TranscriptionJobName"] = jobName,
                ["LanguageCode"] = options.LanguageCode,
                // AudioFormats names formats as Transcribe does (an m4a is its mp4).
                ["MediaFormat"] = recording.Format,
                ["Media"] = new Dictionary<string, string> { ["MediaFileUri"] = $"s3://{options.Bucket}/{mediaKey}" },
                ["OutputBucketName"] = options.Bucket,
                ["OutputKey"] = $"transcripts/{jobName}.json",
            }, cancellationToken).ConfigureAwait(false);

            transcriptUri = await WaitForJobAsync(jobName, cancellationToken).ConfigureAwait(false);
            return await ReadTranscriptAsync(transcriptUri, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DeleteQuietlyAsync(options.Bucket, mediaKey).ConfigureAwait(false);
            if (transcriptUri is not null && ParseS3Location(transcriptUri, options.Bucket) is { } location)
            {
                await DeleteQuietlyAsync(location.Bucket, location.Key).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> WaitForJobAsync(string jobName, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + aws.Options.TranscriptionTimeout;
        while (true)
        {
            var answer = await aws.CallJsonAsync("transcribe", TargetPrefix + "GetTranscriptionJob",
                new Dictionary<string, string> { ["TranscriptionJobName"] = jobName }, cancellationToken).ConfigureAwait(false);
            var job = answer["TranscriptionJob"];
            var status = job?["TranscriptionJobStatus"]?.GetValue<string>();
            switch (status)
            {
                case "COMPLETED":
                    return job?["Transcript"]?["TranscriptFileUri"]?.GetValue<string>()
                        ?? throw new InvalidOperationException($"Transcription job {jobName} completed without a transcript.");
                case "FAILED":
                    throw new InvalidOperationException($"Transcription job {jobName} failed: {job?["FailureReason"]?.GetValue<string>()}");
            }
            if (time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Transcription job {jobName} did not finish in {aws.Options.TranscriptionTimeout}.");
            }
            await Task.Delay(aws.Options.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> ReadTranscriptAsync(string transcriptUri, CancellationToken cancellationToken)
    {
        var location = ParseS3Location(transcriptUri, aws.Options.Bucket)
            ?? throw new InvalidOperationException($"The transcript address {transcriptUri} is not an S3 object.");
        using var response = await aws.S3.GetObjectAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
        var json = await JsonNode.ParseAsync(response.ResponseStream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var transcripts = json?["results"]?["transcripts"]?.AsArray()
            ?? throw new JsonException("The transcript JSON has no results.transcripts.");
        return string.Join(' ', transcripts.Select(t => t?["transcript"]?.GetValue<string>()).Where(t => !string.IsNullOrWhiteSpace(t))).Trim();
    }

    /// <summary>
    /// Transcribe reports s3://bucket/key or an https address, path style (s3.region.amazonaws.com/bucket/key, or an
    /// emulator's host/bucket/key) or virtual-hosted (bucket.s3.region.amazonaws.com/key).
    /// </summary>
    internal static (string Bucket, string Key)? ParseS3Location(string address, string expectedBucket)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return null;
        }
        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
        if (uri.Scheme == "s3")
        {
            return path.Length > 0 ? (uri.Host, path) : null;
        }
        if (uri.Host.StartsWith(expectedBucket + ".", StringComparison.OrdinalIgnoreCase))
        {
            return (expectedBucket, path);
        }
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (path[..slash], path[(slash + 1)..]) : null;
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady)
        {
            return;
        }
        try
        {
            var request = new PutBucketRequest { BucketName = aws.Options.Bucket };
            if (aws.Options.Region != "us-east-1")
            {
                // Outside us-east-1 a bucket must name its region.
                request.UseClientRegion = false;
                request.BucketRegion = S3Region.FindValue(aws.Options.Region);
            }
            await aws.S3.PutBucketAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists" || ex.StatusCode == HttpStatusCode.Conflict)
        {
            // Made earlier, by this or another instance.
        }
        _bucketReady = true;
    }

    private async Task DeleteQuietlyAsync(string bucket, string key)
    {
        try
        {
            await aws.S3.DeleteObjectAsync(bucket, key).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex)
        {
            LogCleanupFailed(logger, ex, bucket, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete s3://{Bucket}/{Key}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string bucket, string key);
}
