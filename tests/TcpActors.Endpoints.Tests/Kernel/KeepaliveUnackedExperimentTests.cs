using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 64: keepalive on a connection whose data is unacknowledged.</summary>
public sealed class KeepaliveUnackedExperimentTests
{
    [Fact]
    public void Keepalive_stays_silent_while_data_is_in_flight_and_the_rto_budget_ends_the_connection()
    {
        // Proves against tests/reference/kernel/64-keepalive-unacked.txt (SO_KEEPALIVE with idle 1 s, interval 1 s,
        // count 2; tcp_retries2=5): the server's INPUT drops the client's data, so the 100 bytes stay in flight; the
        // keepalive timer only re-arms itself while packets are out (tcp_keepalive_timer), so no probe leaves and
        // keepalive never gives up (it would have at idle + 2 intervals); the loss probe and the RTO series (doubling
        // from 204 ms) go on until tcp_retries2's budget, (2^6 − 1) × 200 ms from the first retransmission, has passed
        // at a firing: recv() fails with ETIMEDOUT and no RST is sent. The server's FIN at 20 s then meets no socket.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_retries2=5"]);
        var rule = new DropRule(HookPoint.Input, "INPUT -p tcp --dport 8080 -m length --length 53:65535 -j DROP");
        lab.At(2.3, () => lab.AddRule(lab.Server, rule));
        lab.At(4.2, () => lab.Ss(lab.Client, "client"));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(21);
        Expect.SameAsKernel(lab.Wire, "64-keepalive-unacked.txt");
        string ended = lab.Calls.Of("client").Split('\n').Single(l => l.Contains("ETIMEDOUT", StringComparison.Ordinal));
        // The simulator's RTOs are exact (the last retransmission at 9.036, the next firing 6.528 s later); the
        // kernel's ran late, by up to an eighth each (docs/fidelity.md, "Timer lateness"), the lateness adding up:
        // its last retransmission at 9.360 and ETIMEDOUT at 16.000 (2.8 % later).
        Assert.Equal("15.564 client recv(65536) -> ETIMEDOUT", ended);
        // The retransmission timer with backoff 3, no keepalive timer shown; its time left differs by the lateness.
        Assert.Equal("ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,1.572ms,3)", lab.SsLog[0].Split('\n')[1]); // kernel at 4.200: on,1.620ms,3
        Assert.Equal(7, lab.RuleMatches(lab.Server, rule)); // kernel: 7
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return Script.Until(20.0);
        yield return p.Accepted!.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(2.0);
        var socket = p.Socket();
        yield return socket.SetOptions("SO_KEEPALIVE 1, TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 2", o => o with { KeepAlive = true, KeepIdleSeconds = 1, KeepIntervalSeconds = 1, KeepCount = 2 });
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.508);
        yield return socket.Send(100);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
