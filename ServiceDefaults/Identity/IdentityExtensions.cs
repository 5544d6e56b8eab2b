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
        builder.Services.TryAddSingleton<ServiceDefaults.Discovery.SiblingServices>();
        builder.Services.TryAddTransient<CallerIdentityPropagationHandler>();
        return builder;
    }

    /// <summary>Sibling calls made while serving a request carry the same caller, freshly signed.</summary>
    public static IHttpClientBuilder AddCallerIdentityPropagation(this IHttpClientBuilder http) =>
        http.AddHttpMessageHandler<CallerIdentityPropagationHandler>();
}

/// <summary>
/// Only siblings get the caller: hosts that service discovery knows (services__{name}__...). Any other address
/// (a model endpoint such as http://ollama:11434, AWS, an IP) never sees the internal token.
/// </summary>
internal sealed class CallerIdentityPropagationHandler(
    CallerTokenCodec codec, ServiceDefaults.Discovery.SiblingServices siblings) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri
            && siblings.IsSibling(uri)
            && !request.Headers.Contains(CallerTokenCodec.HeaderName)
            && AmbientCaller.Caller is { } caller
            && codec.CanSign)
        {
            request.Headers.TryAddWithoutValidation(CallerTokenCodec.HeaderName, codec.Issue(caller));
        }
        return base.SendAsync(request, cancellationToken);
    }
}
