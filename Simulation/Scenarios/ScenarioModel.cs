using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>A chaos experiment or demonstration, as a scenario file describes it (docs/scenarios.md).</summary>
public sealed record Scenario
{
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>The seed posts this scenario comes from (000–003), if any.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>The behaviours of DESIGN.md it demonstrates (1–22).</summary>
    public IReadOnlyList<int> Behaviours { get; init; } = [];

    public ulong Seed { get; init; } = 1;

    /// <summary>How long to run (simulated); null runs until nothing is left to do, within the limits.</summary>
    public Duration? Duration { get; init; }

    public IReadOnlyList<HostSpec> Hosts { get; init; } = [];

    public IReadOnlyList<LinkSpec> Links { get; init; } = [];

    public IReadOnlyList<ApplicationSpec> Applications { get; init; } = [];

    public IReadOnlyList<ChaosStep> Chaos { get; init; } = [];

    public IReadOnlyList<SnapshotProbe> Snapshots { get; init; } = [];

    public CaptureSpec Capture { get; init; } = new();

    public IReadOnlyList<Expectation> Expectations { get; init; } = [];

    /// <summary>A load run instead of scripted applications (the <c>workload:</c> section), or null.</summary>
    public LoadSettings? Workload { get; init; }

    /// <summary>The file it was loaded from (or the built-in name).</summary>
    public string Source { get; init; } = "<code>";
}

/// <summary>A machine: its addresses, whether it forwards, its sysctls.</summary>
public sealed record HostSpec(string Name, IReadOnlyList<string> Addresses, bool Forwarding, bool LoopbackOnly, IReadOnlyList<(string Name, string Value, SourceSpan At)> Sysctls, SourceSpan At);

/// <summary>A point-to-point link and its properties (the same both ways).</summary>
public sealed record LinkSpec(string HostA, string HostB, LinkSettings Settings, string? Netem, SourceSpan At);

/// <summary>A scripted application: a sequence of socket calls on one host, run like a single-threaded program.</summary>
public sealed record ApplicationSpec(string Name, string Host, IReadOnlyList<Step> Steps, SourceSpan At);

/// <summary>One line of an application's script.</summary>
/// <param name="At">Wait until this absolute simulated time before the call (null: right after the previous step).</param>
/// <param name="Result">The variable that receives the call's socket (<c>s = socket()</c>), or null.</param>
/// <param name="Function">socket, setsockopt, bind, listen, accept, connect, send, recv, shutdown, close, sleep, register.</param>
/// <param name="Arguments">The raw arguments.</param>
/// <param name="Where">Its place in the file.</param>
/// <param name="Text">The step as written.</param>
public sealed record Step(Duration? At, string? Result, string Function, IReadOnlyList<StepArgument> Arguments, SourceSpan Where, string Text);

/// <summary>An argument of a step: positional (<c>10</c>) or named (<c>linger=1,0</c>), with its column.</summary>
public sealed record StepArgument(string? Name, string Value, SourceSpan Where);

/// <summary>A chaos command at a simulated time: an iptables or tc line, or a nemesis (partition, heal, isolate, link up/down).</summary>
public sealed record ChaosStep(Duration At, string? Host, string Kind, string Command, SourceSpan Where);

/// <summary>An ss snapshot to print at a simulated time: <c>ss -tan -o</c>, or with <paramref name="Info"/> <c>ss -tanoi</c>.</summary>
public sealed record SnapshotProbe(Duration At, string? Host, SourceSpan Where, bool Info = false);

/// <summary>Where tcpdump listens: a host (default: the first), optionally one interface, and a filter expression.</summary>
public sealed record CaptureSpec(string? Host = null, string? Interface = null, string? Filter = null, Duration? From = null, Duration? To = null)
{
    /// <summary>Where <see cref="Interface"/> was written (a name the host turns out not to have is reported there).</summary>
    public SourceSpan InterfaceAt { get; init; }

    /// <summary>Where <see cref="From"/> was written.</summary>
    public SourceSpan FromAt { get; init; }
}

/// <summary>Something that must hold for the run to pass.</summary>
public abstract record Expectation(SourceSpan Where)
{
    /// <summary>A one-line description, as the run prints it next to PASS/FAIL.</summary>
    public abstract string Describe();
}

/// <summary>A socket (matched by host and local/peer address patterns) is in a state at a time, optionally with Recv-Q/Send-Q values.</summary>
public sealed record StateExpectation(SourceSpan Where, Duration At, string Host, string? Local, string? Peer, TcpState? State, int? RecvQ, int? SendQ, bool Absent)
    : Expectation(Where)
{
    public override string Describe()
    {
        string what = Absent ? "no connection" : $"a {State?.ToSsString() ?? "socket"}";
        string match = $"{(Local is null ? "" : " local " + Local)}{(Peer is null ? "" : " peer " + Peer)}";
        string queues = $"{(RecvQ is null ? "" : $" Recv-Q {RecvQ}")}{(SendQ is null ? "" : $" Send-Q {SendQ}")}";
        return $"at {At} on {Host}: {what}{match}{queues}";
    }
}

/// <summary>A call of an application returned a given result (an errno, <c>ok</c>, <c>eof</c>, or a byte count) within a time window.</summary>
public sealed record CallExpectation(SourceSpan Where, string Application, string Function, int Occurrence, string Result, Duration? At, Duration Tolerance)
    : Expectation(Where)
{
    public override string Describe() =>
        $"{Application}: {Function}()#{Occurrence} -> {Result}{(At is { } at ? $" at {at}{(Tolerance > Runtime.Duration.Zero ? $" ± {Tolerance}" : "")}" : "")}";
}

/// <summary>The captured segments between two times match a compact pattern such as <c>&gt;F. &lt;. &gt;F.(retx) &lt;.</c>.</summary>
public sealed record SegmentsExpectation(SourceSpan Where, Duration From, Duration To, SegmentPattern Pattern)
    : Expectation(Where)
{
    public override string Describe() =>
        From == Runtime.Duration.Zero && To == Runtime.Duration.MaxValue ? $"segments: {Pattern}"
        : To == Runtime.Duration.MaxValue ? $"segments from {From}: {Pattern}"
        : $"segments {From}..{To}: {Pattern}";
}

/// <summary>A host's TCP counter compares with a value at the end of the run.</summary>
public sealed record CounterExpectation(SourceSpan Where, string Host, string Counter, string Comparison, long Value)
    : Expectation(Where)
{
    public override string Describe() => $"{Host}: counter {Counter} {Comparison} {Value}";
}

/// <summary>
/// Lines of the tcpdump trace (printed with tcpdump's default options: relative sequence numbers) that
/// contain a text: at least one, or exactly <see cref="Count"/>, between two times.
/// </summary>
public sealed record TraceExpectation(SourceSpan Where, string Text, int? Count, Duration From, Duration To)
    : Expectation(Where)
{
    public override string Describe()
    {
        string window = From == Runtime.Duration.Zero && To == Runtime.Duration.MaxValue ? "" : To == Runtime.Duration.MaxValue ? $" from {From}" : $" {From}..{To}";
        string times = Count is { } count ? $"exactly {count} line(s)" : "a line";
        return $"trace{window}: {times} with '{Text}'";
    }
}
