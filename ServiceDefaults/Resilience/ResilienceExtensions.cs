using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ServiceDefaults.Resilience;

public static class ResilienceExtensions
{
    public static IHostApplicationBuilder AddStandardResilience(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResilienceOptions>()
            .Bind(builder.Configuration.GetSection(ResilienceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<HttpResiliencePipelines>();
        return builder;
    }

    /// <summary>
    /// Total timeout, retries with backoff and jitter on idempotent requests (honouring Retry-After), a circuit
    /// breaker and an attempt timeout, for every client the factory makes. Each named client gets its own pipeline
    /// (and so its own breaker), which is why this hooks the factory rather than one builder.
    /// </summary>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder http)
    {
        http.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, ResilienceHandlerFilter>());
        return http;
    }
}

internal sealed class ResilienceHandlerFilter(HttpResiliencePipelines pipelines) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        builder.AdditionalHandlers.Add(new ResilienceHandler(pipelines.Get(builder.Name ?? "")));
        next(builder);
    };
}

/// <summary>
/// Failures the pipeline itself produces (an open circuit, a timeout) surface as HttpRequestException, so callers
/// handle one exception type for "the sibling did not answer". Their messages name no internal address, since
/// services may pass them on to clients.
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(HttpResiliencePipelines.RequestKey, request);
        try
        {
            return await pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendInnerAsync(state.Request, ctx.CancellationToken)),
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new HttpRequestException("The circuit to that service is open after repeated failures.", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new HttpRequestException("That service did not answer in time.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
