using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AppHost;

/// <summary>
/// Says on the AppHost's console which service stopped on its own and why. A service refusing a bad setting (a limit out
/// of range, an unreachable database) stopped in silence before: the gateway waits for every service, so it never
/// answered, and the reason was only in that service's console log in the dashboard.
/// </summary>
internal sealed partial class ServiceExitReporter(ResourceNotificationService notifications, ResourceLoggerService logs)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Watches from before the services start: a hosted service would begin only once the whole platform had started,
    /// which is exactly what never happens when a service the gateway waits for stops.
    /// </summary>
    public static Task StartAsync(BeforeStartEvent start, CancellationToken cancellationToken)
    {
        var reporter = new ServiceExitReporter(
            start.Services.GetRequiredService<ResourceNotificationService>(), start.Services.GetRequiredService<ResourceLoggerService>());
        var stopping = start.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _ = Task.Run(() => reporter.WatchAsync(stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                // A stop the AppHost asked for (Ctrl+C) ends the services with 0; only a service's own failure is said.
                if (change.Resource is ProjectResource && change.Snapshot.ExitCode is { } code and not 0
                    && !stoppingToken.IsCancellationRequested && reported.Add(change.ResourceId))
                {
                    var reason = await FirstErrorAsync(change.ResourceId, stoppingToken).ConfigureAwait(false);
                    await Console.Error.WriteLineAsync(
                        $"{change.Resource.Name} stopped (exit code {code}): {reason ?? "see its console log in the dashboard"}").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The message of the first exception the service's console log shows, if one comes within a few seconds.</summary>
    private async Task<string?> FirstErrorAsync(string resourceId, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(LogWait);
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(wait.Token).ConfigureAwait(false))
            {
                foreach (var line in batch)
                {
                    if (ExceptionMessage().Match(line.Content) is { Success: true } match)
                    {
                        return match.Groups["message"].Value.Trim();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
        }
        return null;
    }

    // "Microsoft.Extensions.Options.OptionsValidationException: DataAnnotation validation failed ..." as .NET writes it.
    [GeneratedRegex(@"\b[\w.]*Exception: (?<message>.+)$")]
    private static partial Regex ExceptionMessage();
}
