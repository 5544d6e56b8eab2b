using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Access;

public static class AssistantAccessExtensions
{
    /// <summary>For services that hold data per assistant, and the gateway scoping keys: all but chat-service, which owns assistants.</summary>
    public static IHostApplicationBuilder AddAssistantAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AssistantAccessOptions>()
            .Bind(builder.Configuration.GetSection(AssistantAccessOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(AssistantAccess.HttpClientName);
        builder.Services.AddSingleton<AssistantAccess>();
        return builder;
    }
}
