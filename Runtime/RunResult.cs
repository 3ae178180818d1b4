namespace TcpActors.Runtime;

/// <summary>Why a run call returned.</summary>
public enum StopReason
{
    /// <summary>No event left to run.</summary>
    Idle,

    /// <summary>The requested time or duration was reached.</summary>
    TimeReached,

    /// <summary>The requested condition became true.</summary>
    ConditionMet,

    /// <summary>One event was run (<see cref="ActorSystem.Step"/>).</summary>
    Stepped,

    /// <summary>The limit on events per system was reached.</summary>
    EventLimit,

    /// <summary>The limit on simulated time was reached.</summary>
    TimeLimit,

    /// <summary><see cref="ActorSystem.RequestStop"/> was called (for example on Ctrl-C).</summary>
    Interrupted,

    /// <summary>The limit on managed memory was reached (where is not reproducible: see <see cref="RunLimits.MaxManagedMemoryBytes"/>).</summary>
    MemoryLimit,
}

/// <summary>The outcome of a run call: why it stopped, when, and a sentence saying so.</summary>
public sealed record RunResult(StopReason Reason, SimTime Time, long EventsProcessed, string Message)
{
    /// <summary>True when the run stopped because a safety limit was hit rather than by request.</summary>
    public bool HitLimit => Reason is StopReason.EventLimit or StopReason.TimeLimit or StopReason.MemoryLimit;

    public override string ToString() => Message;
}

/// <summary>
/// Safety bounds on a system: a run that would pass them stops with a clear message instead of running
/// forever (an endless retransmission or timer loop cannot hang the CLI).
/// </summary>
public sealed record RunLimits(long MaxEvents, SimTime MaxTime)
{
    /// <summary>How often (in events) the run loop checks <see cref="MaxManagedMemoryBytes"/>.</summary>
    public const int ManagedMemoryCheckInterval = 4096;

    public static RunLimits Unlimited { get; } = new(long.MaxValue, SimTime.MaxValue);

    /// <summary>
    /// The managed heap a run may hold (long.MaxValue: no bound), checked every few thousand events. Unlike the other
    /// limits this one reads the process, so where it stops a run is not reproducible from the seed; it never changes
    /// what the simulation does before that.
    /// </summary>
    public long MaxManagedMemoryBytes { get; init; } = long.MaxValue;
}
