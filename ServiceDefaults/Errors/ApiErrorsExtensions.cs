using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Errors;

/// <summary>
/// One error mechanism for every service: endpoints return ProblemDetails (TypedResults.Problem and friends) or throw
/// <see cref="ApiException"/>, and <see cref="ProblemWriter"/> decides the wire shape: RFC 7807 on native routes,
/// OpenAI's error body on /v1 routes. The same in every environment.
/// </summary>
public static class ApiErrorsExtensions
{
    private const string DeveloperPageCategory = "Microsoft.AspNetCore.Diagnostics.DeveloperExceptionPageMiddleware";

    public static IHostApplicationBuilder AddApiErrors(this IHostApplicationBuilder builder)
    {
        // The first writer that can write wins, and ours can write every request.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemWriter>());
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ApiExceptionHandler>();
        builder.Services.AddSingleton<IExceptionHandler>(sp => sp.GetRequiredService<ApiExceptionHandler>());
        builder.Services.AddSingleton<IDeveloperPageExceptionFilter>(sp => sp.GetRequiredService<ApiExceptionHandler>());
        // Binding failures throw (and so answer with a message saying what was wrong) in every environment, not just
        // Development; Production would otherwise answer a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // In Development the developer exception page sees every exception first and logs each, a client's 404 or 400
        // included, as an unhandled error with its stack trace; ApiExceptionHandler logs the failures that are ours.
        if (builder.Configuration[$"Logging:LogLevel:{DeveloperPageCategory}"] is null)
        {
            builder.Logging.AddFilter(DeveloperPageCategory, LogLevel.None);
        }
        return builder;
    }

    internal static IApplicationBuilder UseApiErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<MethodsMiddleware>();
        return app;
    }
}
