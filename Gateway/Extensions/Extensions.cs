using ServiceDefaults;
using Gateway.Auth;
using Microsoft.Extensions.Options;
using Gateway.Limits;
using Gateway.Model;
using Gateway.Proxy;
using ServiceDefaults.Access;
using ServiceDefaults.Caching;
using ServiceDefaults.Health;
using ServiceDefaults.Identity;

namespace Gateway.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformCache("cache");
        builder.AddDatabase<GatewayDbContext>("gatewaydb");

        var health = builder.Services.AddHealthChecks();
        foreach (var service in PlatformServices.BehindTheGateway)
        {
            health.AddServiceHealthCheck(service);
        }

        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LimitOptions>().Bind(builder.Configuration.GetSection(LimitOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        // The edge: a caller token a client sends is dropped, never read (the gateway issues them, siblings read them).
        builder.Services.PostConfigure<IdentityOptions>(identity => identity.AcceptCallerTokens = false);
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddSingleton<AccessTokenService>();
        builder.Services.AddAccessTokenValidation();
        builder.Services.AddSingleton<CallerCache>();
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddSingleton<RefreshTokenSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefreshTokenSweeper>());
        builder.Services.AddScoped<ApiKeyService>();
        builder.AddAssistantAccess();

        // Limits are exact across instances only when they share Redis; otherwise each process counts on its own.
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("cache")))
        {
            builder.Services.AddSingleton<ILimitStore, MemoryLimitStore>();
        }
        else
        {
            builder.Services.AddSingleton(sp => new LeasingLimitStore(
                new RedisLimitStore(sp.GetRequiredService<RedisConnection>()),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<LimitOptions>>().Value.LeaseSize));
            builder.Services.AddSingleton<ILimitStore>(sp => new LocalFallbackLimitStore(
                sp.GetRequiredService<RedisConnection>(),
                sp.GetRequiredService<LeasingLimitStore>(),
                new MemoryLimitStore(sp.GetRequiredService<TimeProvider>())));
        }

        var origins = builder.Configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod()
                    .WithExposedHeaders(RequestIds.HeaderName, "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-Cache", "X-Cache-Entry");
            }
        }));

        builder.AddGatewayProxy();
    }

    /// <summary>CORS, then who is calling, then how often: before any endpoint, proxied or the gateway's own.</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseCors();
        app.UseMiddleware<GatewayAuthenticationMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        return app;
    }
}
