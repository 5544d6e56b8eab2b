using IntentCacheService.Model;

namespace IntentCacheService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache");
        builder.AddDatabase<IntentDbContext>("intentdb");
    }
}
