using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 29 (recorded for this suite): two sockets bound to fixed ports connect() to each other at the same
/// moment, with no listener, over a path of 50 ms each way (SYN-SENT, SYN-RECV, ESTABLISHED on both sides).
/// </summary>
public sealed class SimultaneousOpenExperimentTests
{
    /// <summary>The kernel's path: delayline.py held every packet 50 ms in the router, each way.</summary>
    private static readonly LinkSettings HalfOfFiftyMilliseconds = new(Duration.FromMilliseconds(25));

    [Fact]
    public void Routed_syns_cross_then_syn_acks_cross_and_each_is_acked_with_a_dsack()
    {
        // Proves against tests/reference/kernel/29-simultaneous-open-routed.txt: the two SYNs cross on the path;
        // each socket, in SYN-SENT, takes the other's SYN as a simultaneous open (SYN-RECV) and answers with a
        // SYN-ACK from its own ISN, window 64240 unscaled like its SYN; the SYN-ACKs cross too, each is accepted
        // in SYN-RECV (not challenged: tcp_validate_incoming's crossing-SYN-ACK rule), both sockets become
        // ESTABLISHED and connect() returns 100 ms after the SYNs; each ACKs the repeated SYN with a D-SACK.
        // ss shows SYN-SENT, then SYN-RECV with Send-Q 1 (the SYN) and the SYN's timer still running.
        var lab = Lab.Routed(links: HalfOfFiftyMilliseconds);
        lab.GsoOffBehindTheDelayLine();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        SnapshotBoth(lab, 3.025, 3.075, 3.2);
        lab.RunUntil(7);

        Expect.Lines(
            """
            0.000000 40000>40001 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.050000 40001>40000 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]           # kernel 0.050484: crossed
            0.050000 40000>40001 S. seq ISN ack 1 win 64240 [mss 1460,sackOK,TS,wscale 10]    # SYN-RECV
            0.100000 40001>40000 S. seq ISN ack 1 win 64240 [mss 1460,sackOK,TS,wscale 10]    # kernel 0.100978: crossed
            0.100000 40000>40001 . ack 1 win 63 [TS,sack 1 {0:1}]                              # ESTABLISHED
            0.150000 40001>40000 . ack 1 win 63 [TS,sack 1 {0:1}]                              # kernel 0.151632
            1.500000 40000>40001 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.600000 40001>40000 . ack 101 win 63 [TS]
            2.050000 40001>40000 P. seq 1:51 ack 101 win 63 [TS] length 50
            2.050000 40000>40001 . ack 51 win 63 [TS]
            2.500000 40000>40001 F. seq 101 ack 51 win 63 [TS]
            2.640000 40001>40000 . ack 102 win 63 [TS]                                         # kernel 2.641031: delayed ACK
            3.050000 40001>40000 F. seq 51 ack 102 win 63 [TS]
            3.050000 40000>40001 . ack 52 win 63 [TS]
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "29-simultaneous-open-routed.txt");
        Expect.SameAsKernel(lab.ServerWire, "29-simultaneous-open-routed.txt", "wire-server", lab.Wire.Origin);
        Assert.Contains("3.100 client connect(10.0.2.2:40001) -> 0", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 3.102
        Assert.Contains("3.100 server connect(10.0.1.2:40000) -> 0", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 3.102
        Expect.Lines(
            """
            SYN-SENT 0 1 10.0.1.2:40000 10.0.2.2:40001 timer:(on,975ms,0)      # kernel on,968ms,0
            SYN-SENT 0 1 10.0.2.2:40001 10.0.1.2:40000 timer:(on,975ms,0)      # kernel on,972ms,0
            SYN-RECV 0 1 10.0.1.2:40000 10.0.2.2:40001 timer:(on,925ms,0)      # kernel on,920ms,0
            SYN-RECV 0 1 10.0.2.2:40001 10.0.1.2:40000 timer:(on,925ms,0)      # kernel on,916ms,0
            ESTAB 0 0 10.0.1.2:40000 10.0.2.2:40001
            ESTAB 0 0 10.0.2.2:40001 10.0.1.2:40000
            """,
            SocketLines(lab));
    }

    [Fact]
    public void Routed_server_that_missed_the_clients_syn_ack_resends_its_own_from_the_syn_timer_and_a_challenge_ack_completes_it()
    {
        // Proves against tests/reference/kernel/29-simultaneous-open-routed-lost-synack.txt: the server's INPUT
        // drops everything from the client but SYNs for a second, so the client's SYN-ACK and its ACK with the
        // D-SACK are lost; the client is ESTABLISHED, the server stays in SYN-RECV until the SYN's timer (1 s)
        // sends its SYN-ACK again. The ESTABLISHED client answers that SYN with a challenge ACK (no D-SACK:
        // tcp_validate_incoming's RFC 5961 branch), which completes the server's open; its connect() returns
        // 1.1 s after the SYN (kernel 1.128).
        var lab = Lab.Routed(links: HalfOfFiftyMilliseconds);
        lab.GsoOffBehindTheDelayLine();
        var rule = new DropRule(HookPoint.Input, "INPUT -s 10.0.1.2 -p tcp ! --syn -j DROP");
        lab.At(2.5, () => lab.AddRule(lab.Server, rule));
        lab.At(3.5, () => lab.DeleteRule(lab.Server, rule));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        SnapshotBoth(lab, 3.2, 3.8, 4.3);
        lab.RunUntil(7);

        Expect.Lines(
            """
            0.000000 40001>40000 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.050000 40000>40001 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.050000 40001>40000 S. seq ISN ack 1 win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.100000 40000>40001 S. seq ISN ack 1 win 64240 [mss 1460,sackOK,TS,wscale 10]    # dropped
            0.150000 40000>40001 . ack 1 win 63 [TS,sack 1 {0:1}]                              # dropped
            1.000000 40001>40000 S. seq ISN ack 1 win 64240 [mss 1460,sackOK,TS,wscale 10]    # kernel 1.027342: SYN timer
            1.100000 40000>40001 . ack 1 win 63 [TS]                                           # kernel 1.128049: challenge ACK
            1.550000 40000>40001 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.550000 40001>40000 . ack 101 win 63 [TS]
            2.000000 40001>40000 P. seq 1:51 ack 101 win 63 [TS] length 50
            2.100000 40000>40001 . ack 51 win 63 [TS]
            2.550000 40000>40001 F. seq 101 ack 51 win 63 [TS]
            2.590000 40001>40000 . ack 102 win 63 [TS]
            3.000000 40001>40000 F. seq 51 ack 102 win 63 [TS]
            3.100000 40000>40001 . ack 52 win 63 [TS]
            """,
            lab.ServerWire.Text(lab.Wire.Origin));
        Expect.SameAsKernel(lab.Wire, "29-simultaneous-open-routed-lost-synack.txt");
        Expect.SameAsKernel(lab.ServerWire, "29-simultaneous-open-routed-lost-synack.txt", "wire-server", lab.Wire.Origin);
        Assert.Equal(2, lab.RuleMatches(lab.Server, rule));
        Assert.Contains("4.100 server connect(10.0.1.2:40000) -> 0", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 4.129
        Expect.Lines(
            """
            ESTAB 0 0 10.0.1.2:40000 10.0.2.2:40001
            SYN-RECV 0 1 10.0.2.2:40001 10.0.1.2:40000 timer:(on,800ms,0)      # kernel on,800ms,0
            ESTAB 0 0 10.0.1.2:40000 10.0.2.2:40001
            SYN-RECV 0 1 10.0.2.2:40001 10.0.1.2:40000 timer:(on,200ms,0)      # kernel on,200ms,0
            ESTAB 0 0 10.0.1.2:40000 10.0.2.2:40001
            ESTAB 0 0 10.0.2.2:40001 10.0.1.2:40000
            """,
            SocketLines(lab));
    }

    private static void SnapshotBoth(Lab lab, params double[] times)
    {
        foreach (double t in times)
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
            lab.At(t, () => lab.Ss(lab.Server, "server"));
        }
    }

    /// <summary>The socket lines of every snapshot, in order (headers dropped).</summary>
    private static string SocketLines(Lab lab) =>
        string.Join('\n', lab.SsLog.SelectMany(s => s.Split('\n').Skip(1)).Where(l => l.Length > 0));

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var socket = p.Socket();
        yield return socket.Bind("10.0.2.2:40001");
        yield return Script.Until(3.0);
        yield return socket.Connect("10.0.1.2:40000");
        yield return socket.Recv();
        yield return Script.Until(5.0);
        yield return socket.Send(50);
        yield return socket.Recv();
        yield return Script.Until(6.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return Script.Until(3.0);
        yield return socket.Connect("10.0.2.2:40001");
        yield return Script.Until(4.5);
        yield return socket.Send(100);
        yield return socket.Recv();
        yield return Script.Until(5.5);
        yield return socket.Close();
    }
}
