using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The invariant checker against hand-made event streams: each test feeds it what a broken TCP would
/// publish and expects exactly the violation, or what a sound one publishes and expects silence.
/// </summary>
public sealed class InvariantCheckerTests
{
    private static readonly FourTuple s_client = new(IPv4Address.Parse("10.0.0.1"), 40000, IPv4Address.Parse("10.0.0.2"), 80);
    private static readonly FourTuple s_server = s_client.Reversed;

    [Fact]
    public void A_sound_exchange_with_reordering_a_duplicate_and_a_retransmission_breaks_nothing()
    {
        // Proves the checker accepts what TCP legitimately does on a faulty network.
        var (system, checker) = Checker();
        Open(system);
        var second = Data(s_client, 1001 + 1000, 1000, 2);
        Capture(system, "client", second);
        Capture(system, "client", Data(s_client, 1001, 1000, 1));
        Capture(system, "client", second);
        system.EventStream.Publish(new TcpRetransmitted(system.Now, "client", s_client, new SeqNum(1001), 1000, RetransmissionKind.Timeout));
        Capture(system, "client", Data(s_client, 1001, 1000, 1));
        Capture(system, "server", Ack(s_server, 5001, 1001 + 2000));

        Assert.Equal(0, checker.ViolationCount);
        Assert.Equal(6, checker.SegmentsChecked);
    }

    [Fact]
    public void Bytes_sent_again_without_a_retransmission_are_reported()
    {
        // Proves "sequence numbers never go backwards": a re-send needs a TcpRetransmitted event or to be the same packet.
        var (system, checker) = Checker();
        Open(system);
        Capture(system, "client", Data(s_client, 1001, 1000, 1));
        Capture(system, "client", Data(s_client, 1501, 100, 1));

        var violation = Assert.Single(checker.Violations);
        Assert.Equal(Invariants.SequenceBackwards, violation.Invariant);
        Assert.Contains("covering offsets 501..601 of a direction already sent up to 1001", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retransmission_carrying_other_bytes_is_reported()
    {
        // Proves re-sent bytes are compared with the first copy, byte by byte.
        var (system, checker) = Checker();
        Open(system);
        Capture(system, "client", Data(s_client, 1001, 100, 1));
        system.EventStream.Publish(new TcpRetransmitted(system.Now, "client", s_client, new SeqNum(1001), 100, RetransmissionKind.Fast));
        Capture(system, "client", Data(s_client, 1001, 100, 9));

        var violation = Assert.Single(checker.Violations);
        Assert.Equal(Invariants.PayloadChanged, violation.Invariant);
        Assert.Contains("stream byte 0", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ACK_of_bytes_never_sent_is_reported()
    {
        // Proves "every ACK acknowledges only what was sent".
        var (system, checker) = Checker();
        Open(system);
        Capture(system, "client", Data(s_client, 1001, 100, 1));
        Capture(system, "server", Ack(s_server, 5001, 1001 + 101));

        var violation = Assert.Single(checker.Violations);
        Assert.Equal(Invariants.AckBeyondSent, violation.Invariant);
        Assert.Contains("acknowledges 1 byte(s) beyond", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transition_outside_RFC_9293_and_Linux_is_reported()
    {
        // Proves the state rules: LISTEN never becomes ESTABLISHED directly.
        var (system, checker) = Checker();
        State(system, "server", s_server, TcpState.Closed, TcpState.Listen);
        State(system, "server", s_server, TcpState.Listen, TcpState.Established);

        var violation = Assert.Single(checker.Violations);
        Assert.Equal(Invariants.IllegalTransition, violation.Invariant);
        Assert.Contains("LISTEN => ESTABLISHED", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_change_that_does_not_start_where_the_last_ended_is_reported()
    {
        // Proves the chain check: a socket closed twice (a port released twice) shows as a break in its chain.
        var (system, checker) = Checker();
        State(system, "client", s_client, TcpState.Closed, TcpState.SynSent);
        State(system, "client", s_client, TcpState.SynSent, TcpState.Closed);
        State(system, "client", s_client, TcpState.SynSent, TcpState.Closed);

        var violation = Assert.Single(checker.Violations);
        Assert.Contains("but its previous event left it CLOSED", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TIME_WAIT_may_last_60_s_after_its_last_restart_and_not_a_moment_more()
    {
        // Proves the TIME_WAIT bound: entered at 0 s, restarted by a FIN at 30 s, so due at 90 s.
        var (system, checker) = Checker();
        IntoTimeWait(system, "client", s_client);
        system.RunFor(Duration.FromSeconds(30));
        system.EventStream.Publish(new PacketCaptured(system.Now, "client", "eth0", CaptureDirection.In, Segment(s_server, 5001, 1001, TcpFlags.Fin | TcpFlags.Ack)));
        system.RunFor(Duration.FromSeconds(61));
        checker.Finish();

        var violation = Assert.Single(checker.Violations);
        Assert.Equal(Invariants.TimeWaitOverstayed, violation.Invariant);
        Assert.Contains("last restarted at 30.000000 s, is still there at 91.000000 s (due at 90.000000 s)", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TIME_WAIT_that_ends_in_time_is_fine()
    {
        // Proves the bound is not too strict: ending exactly 60 s after entering is allowed.
        var (system, checker) = Checker();
        IntoTimeWait(system, "client", s_client);
        system.RunFor(Duration.FromSeconds(60));
        State(system, "client", s_client, TcpState.TimeWait, TcpState.Closed);

        Assert.Equal(0, checker.ViolationCount);
        Assert.Equal(1, checker.TimeWaitsChecked);
    }

    [Fact]
    public void A_run_that_leaves_a_listener_open_is_not_quiescent()
    {
        // Proves the end-of-run checks on a real stack: a listening socket holds a port and its state is not CLOSED.
        var system = ActorSystem.Create("quiescent", 1);
        using var checker = new InvariantChecker(system, stopOnViolation: false);
        var topology = new TopologyBuilder(system).AddModule(Tcp.Module).AddHost("box", h => h.LoopbackOnly()).Build();
        var probe = new Runtime.TestKit.TestProbe(system);
        probe.Send(Tcp.ManagerOf(topology["box"]), new OpenSocket());
        var listener = probe.ExpectMsg<SocketOpened>().Socket;
        probe.Send(listener, new Bind(SocketAddress.Parse("127.0.0.1:7000")));
        probe.ExpectMsg<Bound>();
        probe.Send(listener, new Listen());
        probe.ExpectMsg<Listening>();
        system.RunUntilIdle();

        checker.CheckQuiescent(topology);

        Assert.Equal(2, checker.ViolationCount);
        Assert.Contains("box: 1 ports in use", checker.Violations[0].Message, StringComparison.Ordinal);
        Assert.Contains("left it LISTEN", checker.Violations[1].Message, StringComparison.Ordinal);

        probe.Send(listener, Close.Instance);
        probe.ExpectMsg<Closed>();
        system.RunUntilIdle();
        using var after = new InvariantChecker(system, stopOnViolation: false);
        after.CheckQuiescent(topology);
        Assert.Equal(0, after.ViolationCount);
    }

    [Fact]
    public void The_first_violation_stops_the_run_when_asked()
    {
        // Proves StopOnViolation: the run ends right after the broken event, close to its cause.
        var system = ActorSystem.Create("stop", 1);
        using var checker = new InvariantChecker(system, stopOnViolation: true);
        State(system, "server", s_server, TcpState.Listen, TcpState.TimeWait);
        system.ScheduleTellOnce(Duration.FromSeconds(1), new Runtime.TestKit.TestProbe(system), "later", null);

        Assert.Equal(StopReason.Interrupted, system.RunUntilIdle().Reason);
        Assert.Throws<InvariantViolationException>(checker.ThrowIfViolated);
    }

    private static (ActorSystem System, InvariantChecker Checker) Checker()
    {
        var system = ActorSystem.Create("checker", 1);
        return (system, new InvariantChecker(system, stopOnViolation: false));
    }

    /// <summary>A handshake: client ISN 1000, server ISN 5000.</summary>
    private static void Open(ActorSystem system)
    {
        State(system, "client", s_client, TcpState.Closed, TcpState.SynSent);
        Capture(system, "client", Segment(s_client, 1000, 0, TcpFlags.Syn));
        State(system, "server", s_server, TcpState.Closed, TcpState.SynReceived);
        Capture(system, "server", Segment(s_server, 5000, 1001, TcpFlags.Syn | TcpFlags.Ack));
        State(system, "client", s_client, TcpState.SynSent, TcpState.Established);
        Capture(system, "client", Segment(s_client, 1001, 5001, TcpFlags.Ack));
        State(system, "server", s_server, TcpState.SynReceived, TcpState.Established);
    }

    private static void State(ActorSystem system, string host, FourTuple tuple, TcpState from, TcpState to) =>
        system.EventStream.Publish(new TcpStateChanged(system.Now, host, tuple, from, to, "test"));

    /// <summary>An active close from CLOSED to TIME-WAIT, every step legal.</summary>
    private static void IntoTimeWait(ActorSystem system, string host, FourTuple tuple)
    {
        TcpState[] path = [TcpState.Closed, TcpState.SynSent, TcpState.Established, TcpState.FinWait1, TcpState.FinWait2, TcpState.TimeWait];
        for (int i = 1; i < path.Length; i++)
        {
            State(system, host, tuple, path[i - 1], path[i]);
        }
    }

    private static void Capture(ActorSystem system, string host, Segment segment) =>
        system.EventStream.Publish(new PacketCaptured(system.Now, host, "eth0", CaptureDirection.Out, segment));

    private static Segment Data(FourTuple sender, uint seq, int length, byte fill) =>
        Segment(sender, seq, 5001, TcpFlags.Ack) with { PayloadLength = length, Payload = Enumerable.Repeat(fill, length).ToArray() };

    private static Segment Ack(FourTuple sender, uint seq, uint ack) => Segment(sender, seq, ack, TcpFlags.Ack);

    private static Segment Segment(FourTuple sender, uint seq, uint ack, TcpFlags flags) => new()
    {
        Source = sender.LocalAddress,
        Destination = sender.RemoteAddress,
        SourcePort = sender.LocalPort,
        DestinationPort = sender.RemotePort,
        Seq = new SeqNum(seq),
        Ack = new SeqNum(ack),
        Flags = flags,
    };
}
