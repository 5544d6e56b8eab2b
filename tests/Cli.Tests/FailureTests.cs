using System.CommandLine;
using System.Net;
using System.Text;
using Cli;

namespace Cli.Tests;

/// <summary>Failures nobody planned for are still one line on standard error, never a stack trace.</summary>
public sealed class FailureTests : IDisposable
{
    private readonly string _home = TestDirectory.Create("chatbot-failures-").Path;

    [Theory]
    [InlineData("login", "--email", "ana@example.com", "--password-stdin")]
    [InlineData("whoami")]
    [InlineData("assistants", "list")]
    public async Task AUrlThatAnswersAWebPageIsSaidNotToBeAGateway(params string[] command)
    {
        using var page = WebPage.Start();

        var (code, output, error) = await RunAsync(["--url", page.Url, .. command], apiKey: "sk-any");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", output);
        Assert.Equal($"error: '{page.Url}/' is not a chatbot gateway (it answered text/html).", error.Trim());
    }

    [Fact]
    public async Task AnExceptionNobodyExpectedIsOneLineWithAHintAndExitCodeOne()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = Host(output, error, apiKey: null);
        var broken = new Command("broken");
        broken.Handle(host, (_, _) => throw new InvalidOperationException("Something inside went wrong."));

        var code = await new RootCommand { broken }.Parse(["broken"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.Failed, code);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: Something inside went wrong. (InvalidOperationException)", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains("a bug in chatbot", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? apiKey)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ChatbotCli.RunAsync(args, Host(output, error, apiKey, input: "a password 12345\n"));
        return (code, output.ToString(), error.ToString());
    }

    private CliHost Host(StringWriter output, StringWriter error, string? apiKey, string input = "") =>
        new(Terminal.Plain(new StringReader(input), output, error),
            name => name switch { "XDG_CONFIG_HOME" => _home, "CHATBOT_API_KEY" => apiKey, _ => null },
            TimeProvider.System);

    public void Dispose() => TestDirectory.Delete(_home);

    /// <summary>A web server that answers every request with an HTML page, as a dashboard or a proxy's error page does.</summary>
    private sealed class WebPage : IDisposable
    {
        private readonly HttpListener _listener = new();

        private WebPage(int port)
        {
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
        }

        public string Url { get; }

        public static WebPage Start()
        {
            var page = new WebPage(FreePort.Next());
            page._listener.Start();
            _ = page.ServeAsync();
            return page;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var body = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Dashboard</body></html>");
                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
