using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ServiceDefaults.Resilience;

public static class ResilienceExtensions
{
    public static IHostApplicationBuilder AddSiblingResilience(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResilienceOptions>()
            .Bind(builder.Configuration.GetSection(ResilienceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddTransient<SiblingFailureHandler>();
        return builder;
    }

    /// <summary>
    /// Tunes the standard handler from <see cref="ResilienceOptions"/>: retries only methods that cannot have taken
    /// effect twice, never after a Retry-After longer than we wait, and timeouts that end with the response headers, so
    /// a long streamed answer is never cut once it has started.
    /// </summary>
    public static IHttpStandardResiliencePipelineBuilder ConfigureFromResilienceOptions(this IHttpStandardResiliencePipelineBuilder pipeline)
    {
        pipeline.Configure((HttpStandardResilienceOptions standard, IServiceProvider services) =>
        {
            var o = services.GetRequiredService<IOptions<ResilienceOptions>>().Value;
            standard.TotalRequestTimeout.Timeout = o.TotalTimeout;
            standard.AttemptTimeout.Timeout = o.AttemptTimeout;

            standard.Retry.MaxRetryAttempts = Math.Max(o.MaxRetries, 1);
            standard.Retry.BackoffType = DelayBackoffType.Exponential;
            standard.Retry.UseJitter = true;
            standard.Retry.Delay = o.BaseDelay;
            standard.Retry.ShouldRetryAfterHeader = true;
            standard.Retry.ShouldHandle = args => ValueTask.FromResult(
                o.MaxRetries > 0
                && HttpClientResiliencePredicates.IsTransient(args.Outcome)
                && (RetryAfter(args.Outcome.Result) is not { } wait || wait <= o.MaxRetryAfter));
            standard.Retry.DisableForUnsafeHttpMethods();

            standard.CircuitBreaker.FailureRatio = o.BreakerFailureRatio;
            standard.CircuitBreaker.MinimumThroughput = o.BreakerMinimumThroughput;
            // The standard options insist on a sampling window of at least twice the attempt timeout.
            standard.CircuitBreaker.SamplingDuration = o.BreakerSamplingDuration >= 2 * o.AttemptTimeout
                ? o.BreakerSamplingDuration
                : 2 * o.AttemptTimeout;
            standard.CircuitBreaker.BreakDuration = o.BreakDuration;
        });
        return pipeline;
    }

    /// <summary>Turns the pipeline's own failures (an open circuit, a timeout) into <see cref="HttpRequestException"/>.</summary>
    public static IHttpClientBuilder AddSiblingFailureTranslation(this IHttpClientBuilder http) =>
        http.AddHttpMessageHandler<SiblingFailureHandler>();

    private static TimeSpan? RetryAfter(HttpResponseMessage? response) => response?.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}

/// <summary>
/// Callers handle one exception type for "the sibling did not answer". The messages name no internal address, since
/// services may pass them on to clients.
/// </summary>
internal sealed class SiblingFailureHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new HttpRequestException("The circuit to that service is open after repeated failures.", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new HttpRequestException("That service did not answer in time.", ex);
        }
    }
}
