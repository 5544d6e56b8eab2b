using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;


namespace VoiceService.Services.Aws;

/// <summary>
/// Signature Version 4 for the AWS calls that have no SDK package here (Transcribe, Polly): this class builds the
/// canonical request; AWSSDK.Core's signer derives the key and the signature, so the cryptography is the SDK's own.
/// </summary>
public static class AwsSigner
{
    public const string DateHeader = "x-amz-date";
    public const string ContentHashHeader = "x-amz-content-sha256";
    public const string TokenHeader = "x-amz-security-token";

    /// <summary>Adds x-amz-date, the payload hash, the session token and the Authorization header to <paramref name="request"/>.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no address.", nameof(request));
        var payloadHash = Convert.ToHexStringLower(AWS4Signer.ComputeHash(body));

        request.Headers.Remove(DateHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        request.Headers.Remove(ContentHashHeader);
        request.Headers.TryAddWithoutValidation(ContentHashHeader, payloadHash);
        if (credentials.UseToken)
        {
            request.Headers.Remove(TokenHeader);
            request.Headers.TryAddWithoutValidation(TokenHeader, credentials.Token);
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : uri.Authority,
        };
        foreach (var (name, values) in request.Headers)
        {
            AddHeader(headers, name, values);
        }
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    AddHeader(headers, name, values);
                }
            }
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(CanonicalPath(uri)).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, value) in headers)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var result = AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonical.ToString());
        // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": scheme, then AWS's own parameter list.
        var header = result.ForAuthorizationHeader;
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        request.Headers.Authorization = new AuthenticationHeaderValue(header[..space], header[(space + 1)..]);
    }

    /// <summary>The canonical request of AWS's documented example, exposed so a test can check the signer against it.</summary>
    internal static string SignatureFor(ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc, string signedHeaders, string canonicalRequest) =>
        AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonicalRequest).Signature;

    private static void AddHeader(SortedDictionary<string, string> headers, string name, IEnumerable<string> values)
    {
        var lower = name.ToLowerInvariant();
        // Only headers AWS needs to see unchanged are signed; hops may add or rewrite others.
        if (lower is "host" or "content-type" || lower.StartsWith("x-amz-", StringComparison.Ordinal))
        {
            headers[lower] = string.Join(',', values.Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
    }

    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        return string.IsNullOrEmpty(path) ? "/" : string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return "";
        }
        return string.Join('&', query.Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(p => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: p.Length > 1 ? Uri.EscapeDataString(Uri.UnescapeDataString(p[1])) : ""))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
    }
}
