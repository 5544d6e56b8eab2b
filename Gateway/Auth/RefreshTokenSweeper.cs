using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Auth;

/// <summary>
/// Removes refresh tokens past their expiry, hourly: every login and every refresh (each quarter hour of a live
/// session) adds one, and nothing else ever removes them. An expired token is refused whatever its row says, but a
/// revoked family must still be known while access tokens issued with it live (<see cref="AccountService.SessionEndedAsync"/>),
/// so a row goes only an access token's lifetime after it expired. Every replica sweeps; the delete is idempotent.
/// </summary>
public sealed partial class RefreshTokenSweeper(
    IServiceScopeFactory scopes, IOptions<AuthOptions> options, TimeProvider time, ILogger<RefreshTokenSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            await SweepAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            var before = time.GetUtcNow().Subtract(options.Value.AccessTokenLifetime).ToUnixTimeSeconds();
            return await db.RefreshTokens.Where(t => t.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The next round tries again; meanwhile expired rows only take room.
            LogSweepFailed(logger, ex);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove expired refresh tokens")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
