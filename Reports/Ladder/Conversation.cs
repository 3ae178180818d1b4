using System.Text.RegularExpressions;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reports;

/// <summary>One vertical line of a ladder: a socket address, the host it lives on, the applications using it.</summary>
internal sealed record LadderLane(SocketAddress Address, string? HostName, IReadOnlyList<string> Applications)
{
    public string Title => Applications.Count > 0 ? string.Join(", ", Applications) : HostName ?? Address.ToString();

    public string Subtitle => HostName is null ? Address.ToString() : $"{Address} on {HostName}";
}

/// <summary>A socket call drawn beside a lane: when it was made, and when it returned if it blocked.</summary>
internal sealed record LadderCall(CallRecord Call, bool Left);

/// <summary>A state change drawn on a lane; <see cref="Listener"/> for the listening socket behind the right lane.</summary>
internal sealed record LadderState(RecordedState State, bool Left, bool Listener);

/// <summary>
/// Everything one ladder diagram shows: the two sockets of a 4-tuple (the one that sent the first SYN on the
/// left), every packet between them, their state changes, the calls of the applications behind them, and
/// the chaos commands of the run. A 4-tuple reused by a later connection stays on the same ladder.
/// </summary>
internal sealed partial class Conversation
{
    /// <summary>Ladders drawn per report; a run with more conversations shows the first ones and says so.</summary>
    public const int Limit = 24;

    public required LadderLane Left { get; init; }

    public required LadderLane Right { get; init; }

    public required IReadOnlyList<Flight> Flights { get; init; }

    public required IReadOnlyList<LadderState> States { get; init; }

    public required IReadOnlyList<LadderCall> Calls { get; init; }

    public required IReadOnlyList<RecordedChaos> Chaos { get; init; }

    /// <summary>Expectations about a socket state at a time, on one of this ladder's hosts: drawn where they were checked.</summary>
    public required IReadOnlyList<ExpectationResult> Expectations { get; init; }

    /// <summary>When the run ended: lanes are drawn to here.</summary>
    public required SimTime RunEnd { get; init; }

    public string Title => $"{Left.Address} ⇄ {Right.Address}";

    /// <summary>The conversations of a run, in the order their first packet was sent.</summary>
    public static List<Conversation> FromRun(RunReport report, ScenarioRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recorder);
        var groups = new List<List<Flight>>();
        var index = new Dictionary<(SocketAddress, SocketAddress), List<Flight>>();
        foreach (var flight in recorder.Flights.OrderBy(f => f.SentSequence))
        {
            if (!index.TryGetValue(flight.Conversation, out var list))
            {
                list = [];
                index.Add(flight.Conversation, list);
                groups.Add(list);
            }

            list.Add(flight);
        }

        return groups.Select(flights => Build(report, recorder, flights)).ToList();
    }

    private static Conversation Build(RunReport report, ScenarioRecorder recorder, List<Flight> flights)
    {
        // The side that sent the first SYN (without ACK) is drawn on the left, as every textbook draws the client.
        var opener = flights.FirstOrDefault(f => f.Packet is Segment { IsSyn: true, HasAck: false }) ?? flights[0];
        var (low, high) = opener.Conversation;
        var leftAddress = opener.From;
        var rightAddress = leftAddress == low ? high : low;
        string? leftHost = HostOf(leftAddress, flights, recorder);
        string? rightHost = HostOf(rightAddress, flights, recorder);
        var scenario = report.Scenario;
        var leftApplications = Applications(scenario, report.Calls, leftHost, call => Mentions(call, "connect", rightAddress, portOnly: false));
        var rightApplications = Applications(scenario, report.Calls, rightHost, call => Mentions(call, "bind", rightAddress, portOnly: true) || Mentions(call, "connect", leftAddress, portOnly: false))
            .Where(a => !leftApplications.Contains(a, StringComparer.Ordinal)).ToList();
        var states = new List<LadderState>();
        foreach (var state in recorder.States)
        {
            if (SideOf(state, leftAddress, rightAddress, leftHost) is { } left)
            {
                states.Add(new LadderState(state, left, Listener: false));
            }
            else if (state.Tuple.RemotePort == 0 && state.HostName == rightHost && state.Tuple.LocalPort == rightAddress.Port
                && (state.Tuple.LocalAddress.IsAny || state.Tuple.LocalAddress == rightAddress.Address))
            {
                states.Add(new LadderState(state, Left: false, Listener: true));
            }
        }

        var calls = report.Calls
            .Select(call => leftApplications.Contains(call.Application, StringComparer.Ordinal) ? new LadderCall(call, true)
                : rightApplications.Contains(call.Application, StringComparer.Ordinal) ? new LadderCall(call, false) : null)
            .OfType<LadderCall>().ToList();
        return new Conversation
        {
            Left = new LadderLane(leftAddress, leftHost, leftApplications),
            Right = new LadderLane(rightAddress, rightHost, rightApplications),
            Flights = flights,
            States = states,
            Calls = calls,
            Chaos = recorder.Chaos,
            Expectations = report.Results.Where(r => r.Expectation is StateExpectation state && (state.Host == leftHost || state.Host == rightHost)).ToList(),
            RunEnd = report.Run.Time,
        };
    }

    /// <summary>Which lane a state change belongs to: true for the left, false for the right, null for neither.</summary>
    private static bool? SideOf(RecordedState state, SocketAddress left, SocketAddress right, string? leftHost)
    {
        if (state.Tuple.Local == left && state.Tuple.Remote == right && (leftHost is null || state.HostName == leftHost))
        {
            return true;
        }

        return state.Tuple.Local == right && state.Tuple.Remote == left ? false : null;
    }

    /// <summary>The host a socket address sends from (or, failing that, where a socket with it changed state).</summary>
    private static string? HostOf(SocketAddress address, List<Flight> flights, ScenarioRecorder recorder) =>
        flights.FirstOrDefault(f => f.Packet is Segment s && s.SourceSocket == address)?.SenderHost
        ?? recorder.States.FirstOrDefault(s => s.Tuple.Local == address)?.HostName;

    /// <summary>The applications behind a lane: those on its host whose calls name the other side; else the host's only application.</summary>
    private static List<string> Applications(Scenario scenario, IReadOnlyList<CallRecord> calls, string? host, Func<CallRecord, bool> names)
    {
        var onHost = scenario.Applications.Where(a => a.Host == host).Select(a => a.Name).ToList();
        var naming = onHost.Where(application => calls.Any(c => c.Application == application && names(c))).ToList();
        return naming.Count > 0 ? naming : onHost.Count == 1 ? onHost : [];
    }

    private static bool Mentions(CallRecord call, string function, SocketAddress address, bool portOnly)
    {
        if (call.Function != function)
        {
            return false;
        }

        foreach (Match match in AddressPattern().Matches(call.Text))
        {
            if (SocketAddress.TryParse(match.Value, out var named)
                && named.Port == address.Port && (portOnly || named.Address == address.Address || named.Address.IsAny))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}")]
    private static partial Regex AddressPattern();
}
