using Gateway.Apis;
using Gateway.Proxy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddRequestSizes();

var app = builder.Build();

app.UseRequestIds();
app.UseRequestSizes();
app.UseWebApp();
app.UseGatewayPipeline();
app.MapDefaultEndpoints();
app.MapAuthApi();
app.MapKeysApi();
app.MapDocsApi();
app.MapGatewayProxy();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
