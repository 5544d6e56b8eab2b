using System.Collections.Concurrent;

namespace ChatService.Services;

/// <summary>Runs executing in this process, so that a cancel request can stop the model call of a live run.</summary>
public sealed class RunRegistry
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _live = new(StringComparer.Ordinal);

    public CancellationTokenSource Register(string runId, CancellationToken linked)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(linked);
        _live[runId] = source;
        return source;
    }

    public void Unregister(string runId)
    {
        if (_live.TryRemove(runId, out var source))
        {
            source.Dispose();
        }
    }

    /// <summary>What this process executes now (runs and responses), whose leases it renews.</summary>
    public List<string> Held() => [.. _live.Keys];

    public bool Cancel(string runId)
    {
        if (_live.TryGetValue(runId, out var source))
        {
            try
            {
                source.Cancel();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
        return false;
    }
}
