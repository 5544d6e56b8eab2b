using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using ServiceDefaults.Errors;
using ServiceDefaults.Identity;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Hosting;

/// <summary>
/// Puts the shared middleware at the very front of every service's pipeline, so a Program.cs cannot forget it
/// or put it in the wrong order.
/// </summary>
internal sealed class ServiceDefaultsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<ServerSpanEnricher>();
        app.UseMiddleware<ProcessTimeMiddleware>();
        app.UseApiErrors();
        app.UseMiddleware<JsonCharsetMiddleware>();
        app.UseMiddleware<CallerIdentityMiddleware>();
        next(app);
    };
}
