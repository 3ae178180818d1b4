using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>The outcome of one expectation.</summary>
public sealed record ExpectationResult(Expectation Expectation, bool Passed, string Detail)
{
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Expectation.Describe()}{(Detail.Length == 0 ? "" : " — " + Detail)}";
}

/// <summary>An ss snapshot taken during a run.</summary>
public sealed record SnapshotRecord(SimTime At, string Host, string Text);

/// <summary>Everything a scenario run produced: the trace, the calls, the snapshots, the verdicts.</summary>
public sealed record RunReport
{
    public required Scenario Scenario { get; init; }

    public required ulong Seed { get; init; }

    public required RunResult Run { get; init; }

    /// <summary>tcpdump's lines for the capture host.</summary>
    public required IReadOnlyList<string> Trace { get; init; }

    public required IReadOnlyList<CallRecord> Calls { get; init; }

    /// <summary>The captured TCP segments as segment patterns see them (direction, flags, length, retransmission, relative numbers).</summary>
    public IReadOnlyList<ObservedSegment> Segments { get; init; } = [];

    public required IReadOnlyList<SnapshotRecord> Snapshots { get; init; }

    public required IReadOnlyList<ExpectationResult> Results { get; init; }

    /// <summary>Chaos commands applied or rejected, with their times.</summary>
    public required IReadOnlyList<string> ChaosLog { get; init; }

    /// <summary>Where tcpdump listened: <c>box (lo)</c>.</summary>
    public required string CaptureDescription { get; init; }

    /// <summary>The load run's summary, for a scenario with a <c>workload:</c> section.</summary>
    public LoadReport? Load { get; init; }

    public bool Passed => Results.All(r => r.Passed) && !Run.HitLimit;
}
