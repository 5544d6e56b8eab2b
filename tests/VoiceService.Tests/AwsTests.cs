using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using VoiceService.Services.Aws;

namespace VoiceService.Tests;

public sealed class AwsTests
{
    private static ServiceFactory<Program> WithAws(ServiceFactory<Program> factory, Uri endpoint, string bucket) => factory
        .With("Voice:Aws:ServiceUrl", endpoint.ToString())
        .With("Voice:Aws:AccessKeyId", "AKIDTEST")
        .With("Voice:Aws:SecretAccessKey", "secret-for-tests")
        .With("Voice:Aws:Region", "eu-west-1")
        .With("Voice:Aws:Bucket", bucket)
        .With("Voice:Aws:PollInterval", "00:00:00.050");

    [Theory]
    [InlineData("mp3", "audio/mpeg", "mp3")]
    [InlineData("flac", "audio/flac", "flac")]
    [InlineData("m4a", "audio/mp4", "mp4")]
    public async Task TranscribeUploadsTheRecordingRunsAJobReadsItsTranscriptAndCleansUp(string format, string contentType, string mediaFormat)
    {
        var moto = await SharedServers.MotoAsync();
        using var http = new HttpClient { BaseAddress = moto.Endpoint };
        // Each job state lasts several polls, so the test has time to put the transcript where the job will point.
        using (var slow = await http.PostAsync(new Uri("/moto-api/state-manager/set-transition", UriKind.Relative),
            Json(new { model_name = "transcribe::transcriptionjob", transition = new { progression = "manual", times = 6 } })))
        {
            slow.EnsureSuccessStatusCode();
        }
        var bucket = "voice-" + Guid.NewGuid().ToString("N")[..12];
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero,
            configure: f => WithAws(f, moto.Endpoint, bucket).With("Voice:SpeechToText", "aws"));
        using var client = host.CreateClient();
        var aws = host.Factory.Services.GetRequiredService<AwsConnection>();
        var recording = await TestAudio.SpeakAsync("Can I work from home on Fridays?", format);

        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var jobName = PutTranscriptWhenTheRecordingArrivesAsync(aws, bucket, "Can I work from home on Fridays?", watch.Token);
        using var response = await client.PostAsync(new Uri("/v1/audio/transcriptions", UriKind.Relative),
            VoiceHost.Form(recording, $"question.{format}", contentType, ("model", "whisper-1")));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("Can I work from home on Fridays?", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString());
        var job = (await aws.CallJsonAsync("transcribe", "Transcribe.GetTranscriptionJob",
            new Dictionary<string, string> { ["TranscriptionJobName"] = await jobName }, CancellationToken.None))["TranscriptionJob"]!;
        Assert.Equal(mediaFormat, job["MediaFormat"]!.GetValue<string>());
        Assert.Equal("en-US", job["LanguageCode"]!.GetValue<string>());
        Assert.Equal($"s3://{bucket}/recordings/{await jobName}.{mediaFormat}", job["Media"]!["MediaFileUri"]!.GetValue<string>());
        var left = await aws.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Empty(left.S3Objects ?? []);

        using var reset = await http.PostAsync(new Uri("/moto-api/state-manager/unset-transition", UriKind.Relative),
            Json(new { model_name = "transcribe::transcriptionjob" }));
    }

    // moto's server fails on chunked bodies, which JsonContent sends: give it a length.
    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>Plays Transcribe's part that moto leaves out: writes the transcript JSON at the key the job reports.</summary>
    private static async Task<string> PutTranscriptWhenTheRecordingArrivesAsync(AwsConnection aws, string bucket, string transcript, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var listed = await aws.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "recordings/" }, cancellationToken);
                if (listed.S3Objects is [var recording, ..])
                {
                    var job = Path.GetFileNameWithoutExtension(recording.Key);
                    await aws.S3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = bucket,
                        Key = $"transcripts/{job}.json",
                        ContentBody = JsonSerializer.Serialize(new
                        {
                            jobName = job,
                            status = "COMPLETED",
                            results = new { transcripts = new[] { new { transcript } }, items = Array.Empty<object>() },
                        }),
                    }, cancellationToken);
                    return job;
                }
            }
            catch (Amazon.S3.AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                // The service has not made its bucket yet.
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    [Fact]
    public async Task PollySpeaksThroughMotoInMp3()
    {
        var moto = await SharedServers.MotoAsync();
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero,
            configure: f => WithAws(f, moto.Endpoint, "unused-bucket").With("Voice:TextToSpeech", "aws"));
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "tts-1", input = "Your leave is approved.", voice = "nova" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[8], await response.Content.ReadAsByteArrayAsync()); // moto's stand-in for speech
    }

    [Fact]
    public async Task PollyRequestsAreSignedWithSigV4CarryTheRightShapeAndAreRetriedWhenThrottled()
    {
        var calls = 0;
        var polly = await ScriptedHttpServer.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 400;
                context.Response.Headers["x-amzn-ErrorType"] = "ThrottlingException";
                await context.Response.WriteAsJsonAsync(new { message = "Rate exceeded" });
                return;
            }
            context.Response.ContentType = "audio/mpeg";
            await context.Response.Body.WriteAsync("ID3-fake-mp3"u8.ToArray());
        });
        await using var _ = polly;
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero,
            configure: f => WithAws(f, polly.Url, "unused-bucket").With("Voice:TextToSpeech", "aws").With("Voice:Aws:Engine", "generative"));
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "tts-1", input = "Your leave is approved.", voice = "nova" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ID3-fake-mp3", Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(2, polly.Requests.Count);
        var request = polly.Requests[^1];
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/speech", request.PathAndQuery);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("Your leave is approved.", body.RootElement.GetProperty("Text").GetString());
        Assert.Equal("Salli", body.RootElement.GetProperty("VoiceId").GetString());
        Assert.Equal("generative", body.RootElement.GetProperty("Engine").GetString());
        Assert.Equal("mp3", body.RootElement.GetProperty("OutputFormat").GetString());
        Assert.Matches(
            @"^AWS4-HMAC-SHA256 Credential=AKIDTEST/\d{8}/eu-west-1/polly/aws4_request, ?SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, ?Signature=[0-9a-f]{64}$",
            request.Headers["Authorization"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body))), request.Headers["x-amz-content-sha256"]);
        Assert.False(request.Headers.ContainsKey("X-Caller-Identity"), "AWS must not see the platform's caller token");
    }

    [Fact]
    public async Task PollyIsAskedForASpeedThroughSsmlWithTheTextEscaped()
    {
        var polly = await ScriptedHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "audio/mpeg";
            await context.Response.Body.WriteAsync("ID3-fake-mp3"u8.ToArray());
        });
        await using var _ = polly;
        await using var host = await VoiceHost.StartAsync("Hi.", TimeSpan.Zero,
            configure: f => WithAws(f, polly.Url, "unused-bucket").With("Voice:TextToSpeech", "aws"));
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("/v1/audio/speech", UriKind.Relative),
            new { model = "tts-1", input = "Tom & Jerry <agree>.", voice = "cedar", speed = 1.5 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(Assert.Single(polly.Requests).Body);
        Assert.Equal("ssml", body.RootElement.GetProperty("TextType").GetString());
        Assert.Equal("<speak><prosody rate=\"150%\">Tom &amp; Jerry &lt;agree&gt;.</prosody></speak>", body.RootElement.GetProperty("Text").GetString());
        Assert.Equal("Gregory", body.RootElement.GetProperty("VoiceId").GetString());
    }
}
