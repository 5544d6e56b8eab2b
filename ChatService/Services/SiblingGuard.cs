using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ChatService.Services;

/// <summary>
/// Remembers siblings that just failed to answer, so the next requests answer without them at once instead of each
/// waiting on the same failure. After the cooldown the sibling is tried again.
/// </summary>
public sealed class SiblingGuard(IOptions<ChatServiceOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _downUntil = new(StringComparer.Ordinal);

    public bool IsAvailable(string sibling) =>
        !_downUntil.TryGetValue(sibling, out var until) || time.GetUtcNow() >= until;

    public void MarkDown(string sibling) => _downUntil[sibling] = time.GetUtcNow() + options.Value.SiblingCooldown;

    public void MarkUp(string sibling) => _downUntil.TryRemove(sibling, out _);

    /// <summary>
    /// After a failed call: marks the sibling down and answers true, unless it answered with a 4xx. That is about the
    /// request (a question too long for it, say), not the sibling: marked down, it would be skipped for everyone
    /// else's questions for the whole cooldown.
    /// </summary>
    public bool Failed(string sibling, Exception ex)
    {
        if (ex is HttpRequestException { StatusCode: { } status } && (int)status is >= 400 and < 500)
        {
            return false;
        }
        MarkDown(sibling);
        return true;
    }
}
