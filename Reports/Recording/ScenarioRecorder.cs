using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reports;

/// <summary>A socket's state change, numbered in the order events happened.</summary>
internal sealed record RecordedState(SimTime At, long Sequence, string HostName, FourTuple Tuple, TcpState From, TcpState To, string Reason);

/// <summary>A chaos command applied (or rejected) on a host, numbered in the order events happened.</summary>
internal sealed record RecordedChaos(SimTime At, long Sequence, string? HostName, string Command, string? Rejected);

/// <summary>
/// Records what a scenario run does, for its ladder diagrams: every packet's journey, socket state changes,
/// retransmissions and chaos commands, from the events the run publishes. Attach it before the run:
/// <code>ScenarioRunner.Run(scenario, new RunOptions { Attach = recorder.Attach })</code>.
/// Every event gets a sequence number, so things that happen at the same simulated time keep their order.
/// </summary>
public sealed class ScenarioRecorder
{
    private readonly FlightTracker _flights = new();
    private readonly List<RecordedState> _states = [];
    private readonly List<RecordedChaos> _chaos = [];
    private long _sequence;

    internal IReadOnlyList<Flight> Flights => _flights.Flights;

    internal IReadOnlyList<RecordedState> States => _states;

    internal IReadOnlyList<RecordedChaos> Chaos => _chaos;

    /// <summary>True when the run sent more packets than a diagram keeps (<see cref="FlightTracker.FlightLimit"/>).</summary>
    public bool Truncated => _flights.Truncated;

    /// <summary>Subscribes to the run's events; pass it as <see cref="Simulation.RunOptions.Attach"/>.</summary>
    public void Attach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var events = system.EventStream;
        events.Subscribe<TcpRetransmitted>(_flights.OnRetransmitted);
        events.Subscribe<PacketImpaired>(e => _flights.OnImpaired(e, ++_sequence));
        events.Subscribe<PacketCaptured>(e => _flights.OnCaptured(e, ++_sequence));
        events.Subscribe<PacketFiltered>(_flights.OnFiltered);
        events.Subscribe<PacketDropped>(e => _flights.OnDropped(e, ++_sequence));
        events.Subscribe<TcpStateChanged>(e => _states.Add(new RecordedState(e.Time, ++_sequence, e.HostName, e.Tuple, e.From, e.To, e.Reason)));
        events.Subscribe<ChaosCommandApplied>(e => _chaos.Add(new RecordedChaos(e.Time, ++_sequence, e.HostName, e.Command, null)));
        events.Subscribe<ChaosCommandRejected>(e => _chaos.Add(new RecordedChaos(e.Time, ++_sequence, e.HostName, e.Command, e.Message)));
    }
}
