using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Simulation;

/// <summary>How to run a scenario: seed override, outputs, bounds, pacing.</summary>
public sealed record RunOptions
{
    public static RunOptions Default { get; } = new();

    /// <summary>Overrides the scenario's seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Writes the capture host's packets to this pcap file.</summary>
    public string? PcapPath { get; init; }

    /// <summary>tcpdump's options for the printed trace (timestamps, -S, -v).</summary>
    public TcpdumpOptions Tcpdump { get; init; } = new();

    /// <summary>Bounds: events and simulated time. A run that would pass them stops with a clear message.</summary>
    public RunLimits Limits { get; init; } = new(200_000_000, SimTime.FromSeconds(7 * 24 * 3600));

    /// <summary>When nothing else bounds a run, it stops here (a scenario with a keepalive idles for hours).</summary>
    public Duration DefaultDuration { get; init; } = Duration.FromSeconds(4 * 3600);

    /// <summary>Paces virtual time against this clock at <see cref="Speed"/> (null: as fast as possible).</summary>
    public IWallClock? WallClock { get; init; }

    public double Speed { get; init; } = 1;

    /// <summary>Called with the system before the run starts (observers attach here).</summary>
    public Action<ActorSystem>? Attach { get; init; }

    /// <summary>Called with the built network before the run starts (telemetry export attaches here); what it returns is disposed when the run ends.</summary>
    public Func<Network.Topology, IDisposable?>? Observe { get; init; }
}
