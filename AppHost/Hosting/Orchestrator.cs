using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AppHost.Hosting;

/// <summary>
/// Runs the model: assigns ports, starts each resource once everything it waits for is ready, and on Ctrl+C or
/// SIGTERM stops every child it started, last started first.
/// </summary>
internal sealed class Orchestrator(DistributedApplicationBuilder builder) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<Resource, TaskCompletionSource> _ready = [];
    private readonly List<(ManagedProcess Process, bool IsServer)> _started = [];
    private readonly Lock _startedLock = new();
    private readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("AppHost:StartTimeoutSeconds", 90));

    public async Task<int> RunAsync()
    {
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

        var resources = builder.Resources.Where(r => r.IsEnabled).ToList();
        foreach (var skipped in builder.Resources.Where(r => !r.IsEnabled))
        {
            ManagedProcess.Log("apphost", $"{skipped.Name}: not available here; services use their embedded default");
        }
        AssignPorts(resources);
        foreach (var resource in resources)
        {
            _ready[resource] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(resources.Select(StartWhenReadyAsync)).WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex)
        {
            ManagedProcess.Log("apphost", "start-up failed: " + ex.Message, ConsoleColor.Red);
            return 1;
        }

        var gateway = resources.OfType<ProjectResource>().FirstOrDefault(p => p.Name == "gateway");
        ManagedProcess.Log("apphost",
            $"all {resources.Count} resources healthy in {clock.Elapsed.TotalSeconds:0.0}s"
            + (gateway is null ? "" : $"; the platform answers on http://localhost:{gateway.Port}"),
            ConsoleColor.Green);

        try
        {
            await Task.Delay(Timeout.Infinite, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!_stopping.IsCancellationRequested)
        {
            ManagedProcess.Log("apphost", $"{context.Signal}: stopping every resource");
            _stopping.Cancel();
        }
    }

    private static void AssignPorts(IEnumerable<Resource> resources)
    {
        foreach (var resource in resources)
        {
            switch (resource)
            {
                case ProjectResource project:
                    project.Port = project.FixedPort ?? Readiness.FreePort();
                    break;
                case RedisResource redis:
                    redis.Port = Readiness.FreePort();
                    break;
                case PostgresResource postgres:
                    postgres.Port = Readiness.FreePort();
                    break;
            }
        }
    }

    private async Task StartWhenReadyAsync(Resource resource)
    {
        try
        {
            var dependencies = resource.WaitsFor.Where(_ready.ContainsKey).Select(d => _ready[d].Task);
            await Task.WhenAll(dependencies).ConfigureAwait(false);
            switch (resource)
            {
                case ProjectResource project:
                    await StartProjectAsync(project).ConfigureAwait(false);
                    break;
                case RedisResource redis:
                    await StartRedisAsync(redis).ConfigureAwait(false);
                    break;
                case PostgresResource postgres:
                    await StartPostgresAsync(postgres).ConfigureAwait(false);
                    break;
            }
            _ready[resource].TrySetResult();
        }
        catch (Exception ex)
        {
            _ready[resource].TrySetException(ex);
            throw;
        }
    }

    private async Task StartProjectAsync(ProjectResource project)
    {
        var dll = Path.Combine(builder.RepositoryRoot, project.ProjectName, "bin", builder.BuildConfiguration,
            builder.TargetFramework, project.ProjectName + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the AppHost (dotnet build AppHost) first.");
        }

        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://{project.Host}:{project.Port}",
            ["ASPNETCORE_ENVIRONMENT"] = builder.Configuration["ASPNETCORE_ENVIRONMENT"] ?? "Development",
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["APPHOST_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
            // Every sibling call would otherwise print three lines.
            ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Warning",
        };
        foreach (var apply in project.Environment)
        {
            apply(env);
        }

        var process = new ManagedProcess(project.Name, "dotnet", [dll],
            Path.Combine(builder.RepositoryRoot, project.ProjectName), env);
        await StartAndWaitAsync(project.Name, process, isServer: false, ct => Readiness.HealthAnswersAsync(project.HttpEndpoint, ct))
            .ConfigureAwait(false);
    }

    private async Task StartRedisAsync(RedisResource redis)
    {
        var dir = Path.Combine(builder.DataDirectory, "redis");
        Directory.CreateDirectory(dir);
        var port = redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = ManagedProcess.TiedToThisProcess(redis.Name,
            $"'{redis.Executable}' --bind 127.0.0.1 --port {port} --dir '{dir}' --appendonly yes --save '' --daemonize no",
            dir);
        await StartAndWaitAsync(redis.Name, process, isServer: true, ct => Readiness.RedisAnswersAsync(redis.Port, ct))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user; as anyone else it
    /// runs as that user.
    /// </summary>
    private async Task StartPostgresAsync(PostgresResource postgres)
    {
        var dir = Path.Combine(builder.DataDirectory, "postgres");
        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root";
        // setpriv execs in place (runuser would fork and not pass on the stop signal).
        var runAs = asRoot ? "setpriv --reuid=postgres --regid=postgres --init-groups " : "";
        if (asRoot)
        {
            await Shell.RunAsync($"chown -R postgres:postgres '{dir}'").ConfigureAwait(false);
        }
        if (!File.Exists(Path.Combine(dir, "PG_VERSION")))
        {
            await Shell.RunAsync($"{runAs}'{postgres.BinDirectory}/initdb' -D '{dir}' -U postgres -A trust -E UTF8 --locale=C.UTF-8").ConfigureAwait(false);
        }
        var port = postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = ManagedProcess.TiedToThisProcess(postgres.Name,
            $"{runAs}'{postgres.BinDirectory}/postgres' -D '{dir}' -c listen_addresses=127.0.0.1 -p {port} -k '{dir}'",
            dir, stopSignal: "INT");
        await StartAndWaitAsync(postgres.Name, process, isServer: true,
            async ct => await Shell.TryRunAsync($"'{postgres.BinDirectory}/pg_isready' -q -h 127.0.0.1 -p {port}", ct).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private async Task StartAndWaitAsync(string name, ManagedProcess process, bool isServer, Func<CancellationToken, Task<bool>> isReady)
    {
        lock (_startedLock)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            process.Start();
            _started.Add((process, isServer));
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < _startTimeout)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} while starting.");
            }
            if (await isReady(_stopping.Token).ConfigureAwait(false))
            {
                ManagedProcess.Log("apphost", $"{name} is healthy after {clock.Elapsed.TotalSeconds:0.0}s", ConsoleColor.Green);
                return;
            }
            await Task.Delay(150, _stopping.Token).ConfigureAwait(false);
        }
        throw new TimeoutException($"{name} was not healthy within {_startTimeout.TotalSeconds:0}s.");
    }

    public async ValueTask DisposeAsync()
    {
        List<(ManagedProcess Process, bool IsServer)> started;
        lock (_startedLock)
        {
            started = [.. _started];
            _started.Clear();
        }
        // Projects first (they may still write on the way out), then the servers they used.
        await Task.WhenAll(started.Where(s => !s.IsServer).Select(s => s.Process.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Task.WhenAll(started.Where(s => s.IsServer).Select(s => s.Process.DisposeAsync().AsTask())).ConfigureAwait(false);
        ManagedProcess.Log("apphost", "every resource stopped");
        _stopping.Dispose();
    }
}
