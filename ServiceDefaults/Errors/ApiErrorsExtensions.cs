using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Errors;

/// <summary>
/// One error mechanism for every service: endpoints return ProblemDetails (TypedResults.Problem and friends), and
/// the family decides the wire shape: RFC 7807 on native routes, OpenAI's error body on /v1 routes.
/// </summary>
public static class ApiErrorsExtensions
{
    public static IHostApplicationBuilder AddApiErrors(this IHostApplicationBuilder builder)
    {
        // Writers are tried in registration order, so OpenAI's shape must come before the default one.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAIErrorWriter>());
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    internal static IApplicationBuilder UseApiErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
