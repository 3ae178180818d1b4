using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Maps simulated time onto a real instant so that Tempo and Jaeger draw the simulated timeline:
/// <c>Epoch + simulated time</c>. Activities keep 100 ns ticks, so times are truncated to the tick.
/// </summary>
public readonly record struct SimulatedTimeline(DateTimeOffset Epoch)
{
    /// <summary>The instant of a simulated time.</summary>
    public DateTimeOffset At(SimTime time) => Epoch.AddTicks(time.Nanoseconds / 100);

    /// <summary>The same, as the UTC <see cref="DateTime"/> that <c>Activity.SetEndTime</c> wants.</summary>
    public DateTime UtcAt(SimTime time) => At(time).UtcDateTime;
}
