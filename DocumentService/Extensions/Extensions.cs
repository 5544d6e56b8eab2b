using DocumentService.Model;

namespace DocumentService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache");
        builder.AddDatabase<DocumentsDbContext>("docsdb");
    }
}
