namespace TestInfrastructure;

/// <summary>
/// A clock the test moves by hand, for expiry and token lifetimes without sleeping. Timestamps follow it too, so
/// durations measured with them move only when the test moves the clock.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _now += by;
}
