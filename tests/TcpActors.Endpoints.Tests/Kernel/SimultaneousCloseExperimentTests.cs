using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 28 (recorded for this suite): both ends of an idle connection close() at the same moment, so each
/// FIN is sent before the other arrives (FIN-WAIT-1, CLOSING, TIME-WAIT on both sides).
/// </summary>
public sealed class SimultaneousCloseExperimentTests
{
    /// <summary>The kernel's path: delayline.py held every packet 50 ms in the router, each way.</summary>
    private static readonly LinkSettings HalfOfFiftyMilliseconds = new(Duration.FromMilliseconds(25));

    [Fact]
    public void Routed_fins_cross_and_both_ends_pass_through_closing_to_time_wait()
    {
        // Proves against tests/reference/kernel/28-simultaneous-close-routed.txt: with 50 ms each way, the FINs of
        // two close() calls 5 ms apart cross on the path; each end receives the other's FIN in FIN-WAIT-1, moves to
        // CLOSING and ACKs it at once (tcp_fin), and the ACK of its own FIN then takes it to TIME-WAIT
        // (tcp_rcv_state_process, TCP_CLOSING). ss shows FIN-WAIT-1 with the retransmission timer (RTO 300 ms from
        // the 100 ms RTT), CLOSING with Recv-Q 1 (the peer's FIN) and Send-Q 1 (its own), then TIME-WAIT for 60 s
        // on both sides. The kernel's connect() came at 2.293 and the server's close() at 3.005; the script uses
        // those times.
        var lab = Lab.Routed(links: HalfOfFiftyMilliseconds);
        lab.GsoOffBehindTheDelayLine();
        lab.Run("server", lab.Server, p => Server(p, closeAt: 3.005));
        lab.Run("client", lab.Client, p => Client(p, connectAt: 2.293));
        SnapshotBoth(lab, 3.025, 3.075, 3.2, 7.0);
        lab.RunUntil(8);

        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.100000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]   # kernel 0.100902
            0.100000 40000>8080 . ack 1 win 63 [TS]
            0.707000 40000>8080 F. seq 1 ack 1 win 63 [TS]                                  # kernel 0.706777
            0.762000 8080>40000 F. seq 1 ack 1 win 64 [TS]                                  # kernel 0.762905: crossed
            0.762000 40000>8080 . ack 2 win 63 [TS]                                         # CLOSING, ACK at once
            0.807000 8080>40000 . ack 2 win 64 [TS]                                         # kernel 0.813294
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "28-simultaneous-close-routed.txt");
        Expect.SameAsKernel(lab.ServerWire, "28-simultaneous-close-routed.txt", "wire-server", lab.Wire.Origin);
        Expect.Lines(
            """
            FIN-WAIT-1 0 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,275ms,0)      # kernel at 3.029: on,276ms,0
            FIN-WAIT-1 0 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,280ms,0)      # kernel on,284ms,0
            CLOSING 1 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,225ms,0)         # kernel at 3.077: on,224ms,0
            CLOSING 1 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,230ms,0)         # kernel on,228ms,0
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)
            TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,59sec,0)
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,56sec,0)
            TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,56sec,0)
            """,
            SocketLines(lab));
    }

    [Fact]
    public void Routed_lost_ack_keeps_the_server_in_closing_retransmitting_its_fin_until_time_wait_acks_one()
    {
        // Proves against tests/reference/kernel/28-simultaneous-close-routed-lost-ack.txt: the server's INPUT drops
        // the client's bare ACKs, so the ACK of the server's FIN never arrives: the client, whose FIN the server
        // ACKed, goes from CLOSING to TIME-WAIT, the server stays in CLOSING. Its FIN goes again as a loss probe
        // (2 × srtt + rto_min, capped at the RTO: +300 ms), then at each RTO (300, 600, 1200 ms); the client's
        // TIME-WAIT ACKs every copy at once (four dropped, as the kernel's rule counter says); after the rule is
        // deleted the copy at 3.321 s is ACKed and the server reaches TIME-WAIT. ss shows the server's timer
        // with the backoff count 0 after the probe, then 1 and 2.
        var lab = Lab.Routed(links: HalfOfFiftyMilliseconds);
        lab.GsoOffBehindTheDelayLine();
        var rule = new DropRule(HookPoint.Input, "INPUT -s 10.0.1.2 -p tcp --tcp-flags ALL ACK -j DROP");
        lab.At(2.5, () => lab.AddRule(lab.Server, rule));
        lab.At(4.5, () => lab.DeleteRule(lab.Server, rule));
        lab.Run("server", lab.Server, p => Server(p, closeAt: 3.002));
        lab.Run("client", lab.Client, p => Client(p, connectAt: 2.081));
        SnapshotBoth(lab, 3.2, 3.5, 4.0, 5.0, 7.0);
        lab.RunUntil(8);

        Expect.Lines(
            """
            0.050000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.050000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.150000 40000>8080 . ack 1 win 63 [TS]
            0.921000 8080>40000 F. seq 1 ack 1 win 64 [TS]                  # kernel 0.921026
            0.969000 40000>8080 F. seq 1 ack 1 win 63 [TS]                  # kernel 0.971511
            0.969000 8080>40000 . ack 2 win 64 [TS]                         # CLOSING
            1.021000 40000>8080 . ack 2 win 63 [TS]                         # dropped by INPUT
            1.221000 8080>40000 F. seq 1 ack 2 win 64 [TS]                  # kernel 1.252964: loss probe
            1.321000 40000>8080 . ack 2 win 63 [TS]                         # TIME-WAIT ACKs it; dropped
            1.521000 8080>40000 F. seq 1 ack 2 win 64 [TS]                  # kernel 1.572962: RTO
            1.621000 40000>8080 . ack 2 win 63 [TS]                         # dropped
            2.121000 8080>40000 F. seq 1 ack 2 win 64 [TS]                  # kernel 2.212953
            2.221000 40000>8080 . ack 2 win 63 [TS]                         # dropped
            3.321000 8080>40000 F. seq 1 ack 2 win 64 [TS]                  # kernel 3.460968
            3.421000 40000>8080 . ack 2 win 63 [TS]                         # passes: the rule went at 2.419
            """,
            lab.ServerWire.Text(lab.Wire.Origin));
        Expect.SameAsKernel(lab.Wire, "28-simultaneous-close-routed-lost-ack.txt");
        Expect.SameAsKernel(lab.ServerWire, "28-simultaneous-close-routed-lost-ack.txt", "wire-server", lab.Wire.Origin);
        Assert.Equal(4, lab.RuleMatches(lab.Server, rule));
        Expect.Lines(
            """
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)
            CLOSING 1 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,102ms,0)         # kernel on,104ms,0
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)
            CLOSING 1 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,102ms,0)         # kernel on,136ms,0: the probe went
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)
            CLOSING 1 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,202ms,1)         # kernel on,256ms,1
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)
            CLOSING 1 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,402ms,2)         # kernel on,504ms,2
            TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,58sec,0)
            TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,58sec,0)
            """,
            SocketLines(lab));
    }

    [Fact]
    public void Loopback_retransmitted_fins_cross_when_both_timers_fire_together()
    {
        // Proves against tests/reference/kernel/28-simultaneous-close-loopback.txt: one process closes both ends at
        // 3.0 while INPUT drops FINs, so both FINs and both loss probes are lost and both sockets arm their RTO at
        // the same instant; the two retransmissions leave together and cross: each end receives the other's FIN
        // in FIN-WAIT-1 and ACKs it from CLOSING, and each ACK then completes a TIME-WAIT. The kernel's timer wheel
        // fired the two probes most recently armed first (server, then client); the simulator fires timers due
        // together in arming order, so that pair is accepted in either order.
        var lab = Lab.Loopback();
        var rule = new DropRule(HookPoint.Input, "INPUT -p tcp --tcp-flags FIN FIN -j DROP");
        lab.At(2.5, () => lab.AddRule(lab.Server, rule));
        lab.At(3.3, () => lab.DeleteRule(lab.Server, rule));
        lab.Run("both", lab.Server, BothEnds);
        lab.At(3.1, () => lab.Ss(lab.Server, "both"));
        lab.At(3.6, () => lab.Ss(lab.Server, "both"));
        lab.RunUntil(8);

        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 65495 [mss 65495,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 64 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 64 [TS]      # dropped
            1.000000 8080>40000 F. seq 1 ack 1 win 64 [TS]      # dropped
            1.204000 40000>8080 F. seq 1 ack 1 win 64 [TS]      # kernel 1.206952, after the server's: loss probes, dropped
            1.204000 8080>40000 F. seq 1 ack 1 win 64 [TS]      # kernel 1.206947
            1.408000 40000>8080 F. seq 1 ack 1 win 64 [TS]      # kernel 1.414948: RTO
            1.408000 8080>40000 F. seq 1 ack 1 win 64 [TS]      # kernel 1.414969: crosses
            1.408000 8080>40000 . ack 2 win 64 [TS]             # from CLOSING
            1.408000 40000>8080 . ack 2 win 64 [TS]             # from CLOSING
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "28-simultaneous-close-loopback.txt", tiesWithinSeconds: 0);
        Assert.Equal(4, lab.RuleMatches(lab.Server, rule));
        Expect.Lines(
            """
            FIN-WAIT-1 0 1 127.0.0.1:8080 127.0.0.1:40000 timer:(on,104ms,0)    # kernel on,100ms,0
            FIN-WAIT-1 0 1 127.0.0.1:40000 127.0.0.1:8080 timer:(on,104ms,0)    # kernel on,100ms,0
            TIME-WAIT 0 0 127.0.0.1:8080 127.0.0.1:40000 timer:(timewait,59sec,0)
            TIME-WAIT 0 0 127.0.0.1:40000 127.0.0.1:8080 timer:(timewait,59sec,0)
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

    private static IEnumerable<Step> Server(ScriptedProcess p, double closeAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return Script.Until(closeAt);
        yield return p.Accepted!.Close();
        yield return Script.Until(6.0);
        yield return listener.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, double connectAt)
    {
        yield return Script.Until(connectAt);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(3.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> BothEnds(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("127.0.0.1:8080");
        yield return listener.Listen(8);
        yield return Script.Until(2.0);
        var client = p.Socket();
        yield return client.Bind("127.0.0.1:40000");
        yield return client.Connect("127.0.0.1:8080");
        yield return listener.Accept();
        yield return Script.Until(3.0);
        yield return client.Close();
        yield return p.Accepted!.Close();
        yield return Script.Until(6.0);
        yield return listener.Close();
    }
}
