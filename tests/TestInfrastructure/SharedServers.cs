namespace TestInfrastructure;

/// <summary>
/// One redis-server, one PostgreSQL cluster and one moto_server per test run, started on first use and stopped when
/// the test process ends (the guard stops them even if it ends abruptly). Tests share the servers, never data:
/// each test makes its own database, key prefix or bucket.
/// </summary>
public static class SharedServers
{
    private static readonly Lazy<Task<RedisServer>> SharedRedis = new(RedisServer.StartAsync);
    private static readonly Lazy<Task<PostgresServer>> SharedPostgres = new(PostgresServer.StartAsync);
    private static readonly Lazy<Task<MotoServer>> SharedMoto = new(MotoServer.StartAsync);

    static SharedServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    public static Task<RedisServer> RedisAsync() => SharedRedis.Value;

    public static Task<PostgresServer> PostgresAsync() => SharedPostgres.Value;

    public static Task<MotoServer> MotoAsync() => SharedMoto.Value;

    private static void StopAll()
    {
        var stops = new List<Task>();
        if (SharedRedis.IsValueCreated && SharedRedis.Value.IsCompletedSuccessfully)
        {
            stops.Add(SharedRedis.Value.Result.DisposeAsync().AsTask());
        }
        if (SharedPostgres.IsValueCreated && SharedPostgres.Value.IsCompletedSuccessfully)
        {
            stops.Add(SharedPostgres.Value.Result.DisposeAsync().AsTask());
        }
        if (SharedMoto.IsValueCreated && SharedMoto.Value.IsCompletedSuccessfully)
        {
            stops.Add(SharedMoto.Value.Result.DisposeAsync().AsTask());
        }
        Task.WaitAll([.. stops], TimeSpan.FromSeconds(20));
    }
}
