using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Simulation;

/// <summary>
/// Takes the scenario's ss snapshots and checks its state expectations at their simulated times. A probe
/// at time t sees every event scheduled before it for times up to t (it is scheduled when the run starts).
/// </summary>
internal sealed class ProbeSchedule
{
    public ProbeSchedule(ActorSystem system, Topology topology, Scenario scenario)
    {
        var probe = system.ActorOf(Props.Create(() => new ProbeActor(this, topology)), "probes");
        foreach (var snapshot in scenario.Snapshots.OrderBy(s => s.At))
        {
            system.ScheduleTellOnce(snapshot.At, probe, snapshot, null);
        }

        foreach (var expectation in scenario.Expectations.OfType<StateExpectation>().OrderBy(s => s.At))
        {
            system.ScheduleTellOnce(expectation.At, probe, expectation, null);
        }
    }

    public List<SnapshotRecord> Snapshots { get; } = [];

    public Dictionary<StateExpectation, ExpectationResult> StateResults { get; } = [];

    private sealed class ProbeActor(ProbeSchedule owner, Topology topology) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case SnapshotProbe snapshot:
                    foreach (var host in snapshot.Host is null ? topology.Hosts : [topology[snapshot.Host]])
                    {
                        var options = snapshot.Info ? SsOptions.AllSocketsWithTimers with { ShowInfo = true } : SsOptions.AllSocketsWithTimers;
                        string text = SsFormatter.Format(Tcp.StackOf(host).Snapshot(), options);
                        owner.Snapshots.Add(new SnapshotRecord(Context.Now, host.Name, text));
                    }

                    break;
                case StateExpectation expectation:
                    owner.StateResults[expectation] = Check(expectation, Tcp.StackOf(topology[expectation.Host]).Snapshot());
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }

        private static ExpectationResult Check(StateExpectation expectation, IReadOnlyList<SocketSnapshot> sockets)
        {
            var matching = sockets.Where(s => Matches(expectation.Local, s.Local) && Matches(expectation.Peer, s.Peer) && (expectation.Local is not null || expectation.Peer is not null || s.State != TcpState.Listen)).ToList();
            string seen = matching.Count == 0 ? "no matching socket" : string.Join("; ", matching.Select(Describe));
            if (expectation.Absent)
            {
                // "none" speaks of connections: a listener on the same port does not count.
                var connections = matching.Where(s => s.State != TcpState.Listen).ToList();
                return new ExpectationResult(expectation, connections.Count == 0, connections.Count == 0 ? "" : "found " + string.Join("; ", connections.Select(Describe)));
            }

            bool passed = matching.Exists(s => (expectation.State is null || s.State == expectation.State)
                && (expectation.RecvQ is null || s.RecvQ == expectation.RecvQ)
                && (expectation.SendQ is null || s.SendQ == expectation.SendQ));
            return new ExpectationResult(expectation, passed, passed ? "" : "found " + seen);
        }

        private static string Describe(SocketSnapshot socket) =>
            $"{socket.State.ToSsString()} {socket.Local}->{socket.Peer} Recv-Q {socket.RecvQ} Send-Q {socket.SendQ}";

        private static bool Matches(string? pattern, SocketAddress address)
        {
            if (pattern is null or "*")
            {
                return true;
            }

            int colon = pattern.LastIndexOf(':');
            string host = pattern[..colon];
            string port = pattern[(colon + 1)..];
            return (host == "*" || host == address.Address.ToString()) && (port == "*" || port == address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
