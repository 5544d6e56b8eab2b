using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Auth;

/// <summary>
/// JwtBearer's handler, run by the gateway's own authentication middleware and nothing else. AddAuthentication() would
/// register ASP.NET Core's scheme provider, and WebApplication then puts the framework's authentication middleware in
/// front of every request (a DI scope and a scheme lookup each, about 3% of a proxied call's CPU) although no endpoint
/// ever asks for a scheme. So the handler gets the few services it uses, and the gateway asks it by name.
/// </summary>
internal static class AccessTokenValidation
{
    public static readonly AuthenticationScheme Scheme =
        new(JwtBearerDefaults.AuthenticationScheme, displayName: null, typeof(JwtBearerHandler));

    public static void AddAccessTokenValidation(this IServiceCollection services)
    {
        services.AddWebEncoders();
        services.TryAddSingleton(TimeProvider.System);
        // The one service AddAuthentication() registers that JwtBearer's configuration reads (Authentication:Schemes:Bearer);
        // its default implementation is internal.
        services.TryAddSingleton<IAuthenticationConfigurationProvider, AuthenticationSection>();
        new AuthenticationBuilder(services).AddJwtBearer(options =>
        {
            // Claims keep their JWT names (sub, name) rather than .NET's long URIs.
            options.MapInboundClaims = false;
            // The token is wherever the gateway reads credentials from (Authorization: Bearer or X-API-Key); an API key
            // or no credential at all is none of its business.
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    var credential = GatewayAuthenticationMiddleware.ReadCredential(context.Request);
                    if (credential is null || credential.StartsWith(Secrets.ApiKeyPrefix, StringComparison.Ordinal))
                    {
                        context.NoResult();
                    }
                    else
                    {
                        context.Token = credential;
                    }
                    return Task.CompletedTask;
                },
            };
        });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokenService>((options, tokens) => options.TokenValidationParameters = tokens.ValidationParameters);
    }

    /// <summary>What AuthenticationService does for one scheme: a fresh handler, initialised for this request.</summary>
    public static async Task<AuthenticateResult> AuthenticateAccessTokenAsync(this HttpContext context)
    {
        var handler = context.RequestServices.GetRequiredService<JwtBearerHandler>();
        await handler.InitializeAsync(Scheme, context).ConfigureAwait(false);
        return await handler.AuthenticateAsync().ConfigureAwait(false);
    }

    private sealed class AuthenticationSection(IConfiguration configuration) : IAuthenticationConfigurationProvider
    {
        public IConfiguration AuthenticationConfiguration { get; } = configuration.GetSection("Authentication");
    }
}
