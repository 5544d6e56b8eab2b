using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Identity;

public static class IdentityExtensions
{
    public static IHostApplicationBuilder AddCallerIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityOptions>()
            .Bind(builder.Configuration.GetSection(IdentityOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<CallerTokenCodec>();
        builder.Services.TryAddTransient<CallerIdentityPropagationHandler>();
        return builder;
    }

    /// <summary>Sibling calls made while serving a request carry the same caller, freshly signed.</summary>
    public static IHttpClientBuilder AddCallerIdentityPropagation(this IHttpClientBuilder http) =>
        http.AddHttpMessageHandler<CallerIdentityPropagationHandler>();
}

internal sealed class CallerIdentityPropagationHandler(IHttpContextAccessor accessor, CallerTokenCodec codec) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains(CallerTokenCodec.HeaderName)
            && accessor.HttpContext?.GetCaller() is { } caller
            && codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
        return base.SendAsync(request, cancellationToken);
    }
}
