using Gateway.Model;
using ServiceDefaults.Health;

namespace Gateway.Extensions;

internal static class Extensions
{
    /// <summary>The services behind the gateway; its /health asks each of them.</summary>
    public static readonly string[] Services = ["chat-service", "document-service", "intent-cache-service", "voice-service"];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache");
        builder.AddDatabase<GatewayDbContext>("gatewaydb");

        var health = builder.Services.AddHealthChecks();
        foreach (var service in Services)
        {
            health.AddServiceHealthCheck(service);
        }
    }
}
