using AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Redis when redis-server is installed (AppHost:Redis=off to skip); otherwise every service uses its in-memory default.
var cache = builder.AddRedis("cache");

var chatDb = builder.AddDatabase("chatdb");
var docsDb = builder.AddDatabase("docsdb");
var intentDb = builder.AddDatabase("intentdb");
var gatewayDb = builder.AddDatabase("gatewaydb");

var chat = builder.AddProject("chat-service", "ChatService")
    .WithReference(cache).WithReference(chatDb)
    .WaitFor(cache);

var documents = builder.AddProject("document-service", "DocumentService")
    .WithReference(cache).WithReference(docsDb).WithReference(chat)
    .WaitFor(cache);

var intents = builder.AddProject("intent-cache-service", "IntentCacheService")
    .WithReference(cache).WithReference(intentDb).WithReference(chat).WithReference(documents)
    .WaitFor(cache);

// Chat calls documents and intents but degrades without them, so it references them without waiting for them.
chat.WithReference(documents).WithReference(intents);

var voice = builder.AddProject("voice-service", "VoiceService")
    .WithReference(cache).WithReference(chat).WithReference(documents).WithReference(intents)
    .WaitFor(chat);

builder.AddProject("gateway", "Gateway")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("AppHost:GatewayPort", 8080), host: "localhost")
    .WithReference(cache).WithReference(gatewayDb)
    .WithReference(chat).WithReference(documents).WithReference(intents).WithReference(voice)
    .WaitFor(chat).WaitFor(documents).WaitFor(intents).WaitFor(voice);

return await builder.Build().RunAsync();
