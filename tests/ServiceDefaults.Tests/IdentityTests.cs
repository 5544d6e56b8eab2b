using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Identity;

namespace ServiceDefaults.Tests;

public sealed class IdentityTests
{
    private static readonly Action<WebApplication> Routes = app =>
    {
        app.MapGet("/api/me", (CallerIdentity caller) => $"{caller.UserId}|{caller.KeyId}|{string.Join(',', caller.Assistants ?? [])}");
        app.MapGet("/api/relay", async (IHttpClientFactory clients) =>
            await clients.CreateClient().GetStringAsync(new Uri("http://sibling/echo-caller")));
        app.MapGet("/api/outside", async (string url, IHttpClientFactory clients) =>
            await clients.CreateClient().GetStringAsync(new Uri(url)));
    };

    [Fact]
    public async Task AVouchedCallerReachesTheEndpointWithItsKeyAndAssistants()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        using var client = host.CreateClient().ActAs("usr_1", "key_7", ["asst_a", "asst_b"]);

        var me = await client.GetStringAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal("usr_1|key_7|asst_a,asst_b", me);
    }

    [Fact]
    public async Task ARouteThatNeedsACallerAnswers401WithoutOne()
    {
        await using var host = await TestHost.StartAsync(map: Routes);

        using var response = await host.CreateClient().GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnIdentitySignedWithAnotherKeyIsRefused()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        var forger = new CallerTokenCodec(Options.Create(new IdentityOptions { SigningKey = new string('x', 40) }), TimeProvider.System);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(CallerTokenCodec.HeaderName, forger.Issue(new CallerIdentity("usr_admin")));

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdentityWhosePayloadWasEditedIsRefused()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        var parts = TestIdentity.Token("usr_1").Split('.');
        var edited = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
            System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(
                Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(parts[1])).Replace("usr_1", "usr_2", StringComparison.Ordinal)));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(CallerTokenCodec.HeaderName, $"{parts[0]}.{edited}.{parts[2]}");

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnExpiredIdentityIsRefused()
    {
        await using var host = await TestHost.StartAsync(map: Routes);
        var past = new ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        var codec = new CallerTokenCodec(Options.Create(new IdentityOptions { SigningKey = TestIdentity.SigningKey }), past);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(CallerTokenCodec.HeaderName, codec.Issue(new CallerIdentity("usr_1")));

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsToAddressesOutsideThePlatformNeverCarryTheInternalToken()
    {
        await using var outside = await ScriptedHttpServer.StartAsync(ctx =>
            ctx.Response.WriteAsync("caller:" + ctx.Request.Headers[CallerTokenCodec.HeaderName]));
        await using var host = await TestHost.StartAsync(map: Routes);
        using var client = host.CreateClient().ActAs("usr_42");

        var seen = await client.GetStringAsync(new Uri($"/api/outside?url={Uri.EscapeDataString(outside.Url + "v1/models")}", UriKind.Relative));

        Assert.Equal("caller:", seen);
    }

    [Fact]
    public async Task SiblingCallsCarryTheSameCallerFreshlySigned()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
            ctx.Response.WriteAsync(ctx.Request.Headers[CallerTokenCodec.HeaderName].ToString()));
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?> { ["services:sibling:http:0"] = sibling.Url.ToString().TrimEnd('/') },
            map: Routes);
        using var client = host.CreateClient().ActAs("usr_42", "key_1", ["asst_x"]);

        var relayed = await client.GetStringAsync(new Uri("/api/relay", UriKind.Relative));
        var codec = host.Services.GetRequiredService<CallerTokenCodec>();

        Assert.True(codec.TryRead(relayed, out var caller, out _));
        Assert.Equal(new CallerIdentity("usr_42", "key_1", ["asst_x"]).UserId, caller!.UserId);
        Assert.Equal("key_1", caller.KeyId);
        Assert.Equal(["asst_x"], caller.Assistants);
    }

    [Fact]
    public async Task WorkThatOutlivesItsRequestCallsSiblingsWithoutItsCaller()
    {
        await using var sibling = await ScriptedHttpServer.StartAsync(ctx =>
            ctx.Response.WriteAsync("caller:" + ctx.Request.Headers[CallerTokenCodec.HeaderName]));
        var requestEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterCall = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?> { ["services:sibling:http:0"] = sibling.Url.ToString().TrimEnd('/') },
            configure: builder => builder.Services.Insert(0,
                ServiceDescriptor.Singleton<IStartupFilter>(new SignalWhenRequestsEnd(requestEnded))),
            map: app => app.MapGet("/api/later", (IHttpClientFactory clients) =>
            {
                _ = Task.Run(async () =>
                {
                    await requestEnded.Task;
                    laterCall.SetResult(await clients.CreateClient().GetStringAsync(new Uri("http://sibling/echo-caller")));
                });
                return "started";
            }));
        using var client = host.CreateClient().ActAs("usr_42");

        Assert.Equal("started", await client.GetStringAsync(new Uri("/api/later", UriKind.Relative)));

        Assert.Equal("caller:", await laterCall.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Outermost middleware: its completion callback runs after every other one of the request.</summary>
    private sealed class SignalWhenRequestsEnd(TaskCompletionSource ended) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                context.Response.OnCompleted(() =>
                {
                    ended.TrySetResult();
                    return Task.CompletedTask;
                });
                return inner(context);
            });
            next(app);
        };
    }
}
