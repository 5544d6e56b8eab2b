using AppHost;
using AppHost.LocalServers;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);
if (settings.Problems.Count > 0)
{
    settings.Problems.ToList().ForEach(Console.Error.WriteLine);
    return 1;
}
if (!builder.ExecutionContext.IsPublishMode && GatewayPortCheck.Taken(settings.GatewayPort) is { } taken)
{
    Console.Error.WriteLine(taken);
    return 1;
}

// Redis when redis-server is installed (AppHost:Redis=off to skip); otherwise every service uses its in-memory default.
var cache = settings.RedisServer is { } redisServer ? builder.AddRedisServer("cache", redisServer, settings.DataDirectory) : null;

// SQLite files under .data/ unless AppHost:Postgres=on starts a local PostgreSQL cluster (one database per service).
var postgres = settings.PostgresBin is { } bin ? builder.AddPostgresServer("postgres", bin, settings.DataDirectory) : null;
var chatDb = settings.Database(builder, "chatdb", postgres);
var docsDb = settings.Database(builder, "docsdb", postgres);
var intentDb = settings.Database(builder, "intentdb", postgres);
var gatewayDb = settings.Database(builder, "gatewaydb", postgres);

var chat = settings.AddService<Projects.ChatService>("chat-service")
    .WithCache(cache).WithDatabase(chatDb);

var documents = settings.AddService<Projects.DocumentService>("document-service")
    .WithCache(cache).WithDatabase(docsDb).WithReference(chat)
    .WithRunEnvironment(builder, "Documents__BlobDirectory", Path.Combine(settings.DataDirectory, "blobs"));

var intents = settings.AddService<Projects.IntentCacheService>("intent-cache-service")
    .WithCache(cache).WithDatabase(intentDb).WithReference(chat).WithReference(documents);

// Chat calls documents and intents but degrades without them, so it references them without waiting for them.
chat.WithReference(documents).WithReference(intents);

var voice = settings.AddService<Projects.VoiceService>("voice-service")
    .WithCache(cache).WithReference(chat).WithReference(documents).WithReference(intents)
    .WaitFor(chat);

settings.AddService<Projects.Gateway>("gateway", port: settings.GatewayPort)
    .WithCache(cache).WithDatabase(gatewayDb)
    .WithReference(chat).WithReference(documents).WithReference(intents).WithReference(voice)
    .WaitFor(chat).WaitFor(documents).WaitFor(intents).WaitFor(voice)
    .WithExternalHttpEndpoints();

builder.Eventing.Subscribe<BeforeStartEvent>(ServiceExitReporter.StartAsync);
builder.Build().Run();
return 0;
