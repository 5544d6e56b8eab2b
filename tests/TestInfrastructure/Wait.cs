using System.Diagnostics;

namespace TestInfrastructure;

public static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds; throws with <paramref name="what"/> on time-out.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception) when (clock.Elapsed < timeout)
            {
                // Not up yet.
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for {what}.");
    }
}
