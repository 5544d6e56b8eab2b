using System.CommandLine;
using Cli.Gateway;
using OpenAI.Assistants;

namespace Cli;

/// <summary>What every command runs with: the terminal, the environment, and the clock (tests give their own).</summary>
public sealed record CliHost(Terminal Terminal, Func<string, string?> Environment, TimeProvider Clock)
{
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>--url on any command, else CHATBOT_URL, else the local AppHost's gateway.</summary>
    public static readonly Option<string?> UrlOption = new("--url")
    {
        Description = $"The gateway's base URL (default: $CHATBOT_URL, else {DefaultUrl})",
        Recursive = true,
    };
}

/// <summary>One command's invocation: its parse result and, made on first use, the connection to the gateway.</summary>
public sealed class CliContext(CliHost host, ParseResult parse) : IDisposable
{
    private GatewayConnection? _connection;

    public Terminal Terminal => host.Terminal;

    public ParseResult Parse => parse;

    public TimeProvider Clock => host.Clock;

    public Uri Gateway
    {
        get
        {
            var text = parse.GetValue(CliHost.UrlOption) ?? host.Environment("CHATBOT_URL") ?? CliHost.DefaultUrl;
            // The OpenAI-style base URL (…/v1) that SDKs are given names the same gateway.
            var root = text.TrimEnd('/') is var trimmed && trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? trimmed[..^3] : trimmed;
            if (!Uri.TryCreate(root + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new CliException($"'{text}' is not an http(s) URL for the gateway.", ExitCodes.Usage);
            }
            return url;
        }
    }

    public string? ApiKey => host.Environment("CHATBOT_API_KEY") is { Length: > 0 } key ? key : null;

    public TokenStore Tokens => TokenStore.ForUser(host.Environment);

    public GatewayConnection Connection => _connection ??= new GatewayConnection(Gateway, ApiKey, Tokens, host.Clock);

    public AssistantClient Assistants => Connection.OpenAI.GetAssistantClient();

    public DocumentsClient Documents => new(Connection.Http);

    public KeysClient Keys => new(Connection.Http);

    public T Value<T>(Option<T> option) => parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => parse.GetValue(argument)!;

    public void Dispose() => _connection?.Dispose();
}
