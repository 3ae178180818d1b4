using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 03 (behaviour 3): the router drops everything the server sends, so the SYN-ACK is lost.</summary>
public sealed class LostSynAckExperimentTests
{
    [Fact]
    public void Lost_syn_ack_is_resent_by_the_request_timer_and_in_answer_to_every_repeated_syn()
    {
        // Proves behaviour 3 against tests/reference/kernel/03-lost-synack-forever.txt: the server answers
        // every retransmitted SYN at once and restarts its request timer at the current backoff, so its own
        // timer fires only when its backoff catches up with the client's (1, 7, 11, 19, 35 s); the request
        // dies after tcp_synack_retries own-timer firings (67 s), and the last SYN makes a new request with a
        // new ISN whose SYN-ACKs follow 1, 2, 4, 8, 16 s.
        var lab = Run(healAt: null);
        Expect.SameAsKernel(lab.Wire, "03-lost-synack-forever.txt");
        Expect.SameAsKernel(lab.ServerWire, "03-lost-synack-forever.txt", "wire-server", lab.Wire.Origin);
        Assert.Contains("132.000 client connect(10.0.2.2:8080) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 136.291
    }

    [Fact]
    public void Syn_ack_lost_until_the_path_heals_completes_with_the_same_request_and_isn()
    {
        // Proves behaviour 3 against tests/reference/kernel/03-lost-synack-heal.txt: the rule goes just before
        // the client's fourth retransmission, whose SYN-ACK (the same ISN, the request is still alive) completes
        // the handshake; connect() returns 3 s after it started.
        var lab = Run(healAt: 3.99);
        Expect.SameAsKernel(lab.Wire, "03-lost-synack-heal.txt");
        Expect.SameAsKernel(lab.ServerWire, "03-lost-synack-heal.txt", "wire-server", lab.Wire.Origin);
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            4.000 client connect(10.0.2.2:8080) -> 0   # kernel 4.075
            4.000 client send(10 bytes) -> 10
            6.000 client close() -> 0
            """,
            lab.Calls.Of("client"));
    }

    private static Lab Run(double? healAt)
    {
        var lab = Lab.Routed();
        var rule = lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -j DROP"));
        if (healAt is { } heal)
        {
            lab.At(heal, () => lab.DeleteRule(lab.Router!, rule));
        }

        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(150);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv(1000);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        if (socket.LastErrno == Errno.None)
        {
            yield return socket.Send(10);
        }

        yield return Script.Until(6);
        yield return socket.Close();
    }
}
