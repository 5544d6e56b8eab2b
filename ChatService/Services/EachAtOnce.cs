namespace ChatService.Services;

/// <summary>
/// How the background workers take their channel: each item read starts at once in a task of its own (one slow answer
/// holds up no other), at most <c>limit</c> at a time when one is given, and on stop those still going are awaited, so
/// each can record how it ended.
/// </summary>
public static class EachAtOnce
{
    public static async Task RunAsync<T>(IAsyncEnumerable<T> items, Func<T, Task> start, int? limit, CancellationToken stoppingToken)
    {
        var going = new HashSet<Task>();
        // Not disposed: a task's continuation may give back its slot after this method has returned.
        var slots = limit is { } most ? new SemaphoreSlim(most) : null;
        try
        {
            await foreach (var item in items.ConfigureAwait(false))
            {
                if (slots is not null)
                {
                    await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                var task = start(item);
                lock (going)
                {
                    going.Add(task);
                }
                _ = task.ContinueWith(t =>
                {
                    slots?.Release();
                    lock (going)
                    {
                        going.Remove(t);
                    }
                }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task[] remaining;
        lock (going)
        {
            remaining = [.. going];
        }
        await Task.WhenAll(remaining).ConfigureAwait(false);
    }
}
