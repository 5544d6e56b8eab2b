using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using TestInfrastructure;

namespace Chat.Bench;

/// <summary>The real gateway, run from its build output in front of the chat service, with a logged-in user.</summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    private readonly Process _process;

    private BenchGateway(Process process, Uri url, string accessToken)
    {
        _process = process;
        Url = url;
        AccessToken = accessToken;
    }

    public Uri Url { get; }

    public string AccessToken { get; }

    public static async Task<BenchGateway> StartAsync(Uri chatService)
    {
        var configuration = typeof(BenchGateway).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Microservices.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("Microservices.sln not found.");
        }
        var gatewayDir = Path.Combine(root.FullName, "Gateway", "bin", configuration, "net10.0");
        var port = FreePort.Next();
        var data = Directory.CreateTempSubdirectory("chat-bench-gw-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(gatewayDir, "Gateway.dll") },
            WorkingDirectory = gatewayDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Identity__SigningKey"] = TestIdentity.SigningKey,
                ["ConnectionStrings__gatewaydb"] = $"Data Source={Path.Combine(data, "gateway.db")}",
                ["services__chat-service__http__0"] = chatService.ToString().TrimEnd('/'),
                ["Limits__UserRpm"] = "100000000",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var url = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = url };
        await Wait.UntilAsync(async () => (await http.GetAsync(new Uri("/alive", UriKind.Relative))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the gateway");
        var account = new { name = "bench", email = "bench@example.com", password = "correct horse battery staple" };
        (await http.PostAsJsonAsync("/auth/register", account)).EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/auth/login", new { account.email, account.password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        return new BenchGateway(process, url, token);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
