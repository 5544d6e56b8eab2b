using AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Redis when redis-server is installed (AppHost:Redis=off to skip); otherwise every service uses its in-memory default.
var cache = builder.AddRedis("cache");

// SQLite files under .data/ unless AppHost:Postgres=on starts a local PostgreSQL cluster (one database per service).
var postgres = builder.AddPostgres("postgres");
var chatDb = builder.AddDatabase("chatdb", postgres);
var docsDb = builder.AddDatabase("docsdb", postgres);
var intentDb = builder.AddDatabase("intentdb", postgres);
var gatewayDb = builder.AddDatabase("gatewaydb", postgres);

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
