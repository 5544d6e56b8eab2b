using ChatService.Model;

namespace ChatService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache");
        builder.AddDatabase<ChatDbContext>("chatdb");
    }
}
