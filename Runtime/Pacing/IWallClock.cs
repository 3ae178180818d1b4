namespace TcpActors.Runtime;

/// <summary>
/// The wall clock, injected: the simulation never reads real time itself. Only pacing uses it, to keep
/// virtual time from running ahead of real time times a speed factor (for live dashboards). Tests pass
/// a fake clock and need no real sleeps.
/// </summary>
public interface IWallClock
{
    /// <summary>Real time elapsed since some fixed origin.</summary>
    Duration Elapsed { get; }

    /// <summary>Blocks for about <paramref name="span"/> of real time.</summary>
    void Sleep(Duration span);
}

/// <summary>A wall clock driven by hand, for tests: sleeping advances it.</summary>
public sealed class ManualWallClock : IWallClock
{
    public Duration Elapsed { get; private set; }

    public Duration TotalSlept { get; private set; }

    public int Sleeps { get; private set; }

    public void Advance(Duration span) => Elapsed += span;

    public void Sleep(Duration span)
    {
        Elapsed += span;
        TotalSlept += span;
        Sleeps++;
    }
}
