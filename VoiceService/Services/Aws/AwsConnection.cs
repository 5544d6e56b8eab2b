using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace VoiceService.Services.Aws;

/// <summary>
/// The one place that talks to AWS: credentials (configured keys or the SDK's default chain), the S3 client, and
/// SigV4-signed calls with retries for the services whose SDK packages are missing here (Transcribe's JSON 1.1
/// protocol, Polly's REST JSON protocol).
/// </summary>
public sealed class AwsConnection : IDisposable
{
    public const string HttpClientName = "aws";
    private const int MaxAttempts = 3;

    private readonly IHttpClientFactory _http;
    private readonly AwsVoiceOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly Lazy<AmazonS3Client> _s3;

    public AwsConnection(IHttpClientFactory http, IOptions<VoiceOptions> options, TimeProvider time)
    {
        _http = http;
        _options = options.Value.Aws;
        _time = time;
        _credentials = new Lazy<AWSCredentials>(ResolveCredentials);
        _s3 = new Lazy<AmazonS3Client>(() => new AmazonS3Client(_credentials.Value, S3Config()));
    }

    public AmazonS3Client S3 => _s3.Value;

    public AwsVoiceOptions Options => _options;

    /// <summary>A Transcribe-style JSON 1.1 call: POST / with X-Amz-Target "{targetPrefix}.{operation}".</summary>
    public async Task<JsonNode> CallJsonAsync(string service, string target, object body, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body);
        using var response = await SendAsync(service, HttpMethod.Post, "/", payload, "application/x-amz-json-1.1",
            request => request.Headers.TryAddWithoutValidation("X-Amz-Target", target), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text)!;
    }

    /// <summary>A REST JSON call (Polly); the caller owns the response and reads its body as a stream.</summary>
    public Task<HttpResponseMessage> CallRestJsonAsync(string service, string path, object body, CancellationToken cancellationToken) =>
        SendAsync(service, HttpMethod.Post, path, JsonSerializer.SerializeToUtf8Bytes(body), "application/json", null, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(string service, HttpMethod method, string path, byte[] payload, string contentType,
        Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        var client = _http.CreateClient(HttpClientName);
        var credentials = await _credentials.Value.GetCredentialsAsync().ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(EndpointFor(service), path));
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            configure?.Invoke(request);
            AwsSigner.Sign(request, payload, credentials, _options.Region, service, _time.GetUtcNow().UtcDateTime);

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
                await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            response.Dispose();
            if (attempt < MaxAttempts && error.IsRetryable)
            {
                await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw error;
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds((100 << attempt) + Random.Shared.Next(0, 100));

    private static async Task<AwsServiceException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        string? message = null;
        try
        {
            var json = JsonNode.Parse(text);
            type ??= json?["__type"]?.GetValue<string>();
            message = (json?["message"] ?? json?["Message"])?.GetValue<string>();
        }
        catch (JsonException)
        {
            message = text.Length > 300 ? text[..300] : text;
        }
        type = type?.Split('#').Last().Split(':').First();
        return new AwsServiceException(response.StatusCode, type ?? "UnknownError", message ?? response.ReasonPhrase ?? "AWS call failed");
    }

    private Uri EndpointFor(string service) =>
        string.IsNullOrWhiteSpace(_options.ServiceUrl)
            ? new Uri($"https://{service}.{_options.Region}.amazonaws.com/")
            : new Uri(_options.ServiceUrl);

    private AmazonS3Config S3Config()
    {
        var config = new AmazonS3Config();
        if (string.IsNullOrWhiteSpace(_options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_options.Region);
        }
        else
        {
            config.ServiceURL = _options.ServiceUrl;
            config.AuthenticationRegion = _options.Region;
            config.ForcePathStyle = true;
        }
        return config;
    }

    private AWSCredentials ResolveCredentials()
    {
        if (!string.IsNullOrWhiteSpace(_options.AccessKeyId) && !string.IsNullOrWhiteSpace(_options.SecretAccessKey))
        {
            return string.IsNullOrWhiteSpace(_options.SessionToken)
                ? new BasicAWSCredentials(_options.AccessKeyId, _options.SecretAccessKey)
                : new SessionAWSCredentials(_options.AccessKeyId, _options.SecretAccessKey, _options.SessionToken);
        }
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        return resolver.ResolveIdentity(S3Config());
    }

    public void Dispose()
    {
        if (_s3.IsValueCreated)
        {
            _s3.Value.Dispose();
        }
    }
}

/// <summary>An AWS service answered with an error.</summary>
public sealed class AwsServiceException(HttpStatusCode status, string errorType, string message)
    : Exception($"{errorType}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string ErrorType { get; } = errorType;

    public bool IsRetryable => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests
        || ErrorType.Contains("Throttl", StringComparison.Ordinal) || ErrorType == "LimitExceededException";
}
