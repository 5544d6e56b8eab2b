using Yarp.ReverseProxy.Configuration;

// YARP with nothing of the gateway's: no auth, limits, transforms, health checks or ServiceDefaults. The gap between
// this and the gateway is what the gateway's own work costs; the gap between this and nginx is YARP's.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var backend = builder.Configuration["Backend"] ?? throw new InvalidOperationException("Set Backend to the backend's URL.");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig> { ["backend"] = new() { Address = backend } },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
