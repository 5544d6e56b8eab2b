using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;

namespace Cli.Gateway;

/// <summary>
/// One gateway: an anonymous client for /auth, an authenticated one for everything else, and the official OpenAI
/// client over that same authenticated HttpClient for the /v1 routes.
/// </summary>
public sealed class GatewayConnection : IDisposable
{
    private readonly HttpClient _anonymous;

    public GatewayConnection(Uri gateway, string? apiKey, TokenStore store, TimeProvider clock)
    {
        Gateway = gateway;
        _anonymous = new HttpClient(NewTransport()) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        // Answers stream for as long as the model talks; Ctrl+C ends them, not a timer.
        Http = new HttpClient(new AuthHandler(gateway, apiKey, store, () => Auth!, clock) { InnerHandler = NewTransport() })
        {
            BaseAddress = gateway,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Auth = new AuthClient(_anonymous, Http);
        OpenAI = new OpenAIClient(new ApiKeyCredential("set-by-the-auth-handler"), new OpenAIClientOptions
        {
            Endpoint = new Uri(gateway, "v1"),
            Transport = new HttpClientPipelineTransport(Http),
            // A refusal (429 above all) is reported with its wait at once rather than retried silently.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        });
    }

    public Uri Gateway { get; }

    public HttpClient Http { get; }

    public AuthClient Auth { get; }

    public OpenAIClient OpenAI { get; }

    private static SocketsHttpHandler NewTransport() => new() { ConnectTimeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        Http.Dispose();
        _anonymous.Dispose();
    }
}
