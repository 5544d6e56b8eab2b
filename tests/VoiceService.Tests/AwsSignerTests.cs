using Amazon.Runtime;
using VoiceService.Services.Aws;

namespace VoiceService.Tests;

public sealed class AwsSignerTests
{
    private static readonly ImmutableCredentials ExampleCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    [Fact]
    public void SignatureMatchesAwsDocumentedExample()
    {
        // AWS's own worked example (IAM ListUsers, 2015-08-30T12:36:00Z) in the Signature Version 4 documentation.
        const string canonical = "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            + "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            + "content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        var signature = AwsSigner.SignatureFor(ExampleCredentials, "us-east-1", "iam",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), "content-type;host;x-amz-date", canonical);

        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", signature);
    }

    [Fact]
    public void SignedRequestCarriesDateHashAndAuthorizationForTheServiceScope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/v1/speech");
        var body = "{\"Text\":\"hi\"}"u8.ToArray();
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new("application/json");

        AwsSigner.Sign(request, body, new ImmutableCredentials("AKIDEXAMPLE", "secret", "session-token"), "eu-west-1", "polly",
            new DateTime(2026, 11, 22, 4, 0, 0, DateTimeKind.Utc));

        Assert.Equal("20261122T040000Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.Equal("session-token", request.Headers.GetValues("x-amz-security-token").Single());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), request.Headers.GetValues("x-amz-content-sha256").Single());
        var authorization = request.Headers.Authorization!;
        Assert.Equal("AWS4-HMAC-SHA256", authorization.Scheme);
        Assert.Matches(
            "^Credential=AKIDEXAMPLE/20261122/eu-west-1/polly/aws4_request, ?SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ?Signature=[0-9a-f]{64}$",
            authorization.Parameter);
    }
}
