using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 30 (recorded for this suite): iptables REJECT on the server's INPUT, with the ICMP errors in the
/// captures as tcpdump prints them, and how the client's TCP takes them (tcp_v4_err).
/// </summary>
public sealed class RejectExperimentTests
{
    [Fact]
    public void Reject_with_tcp_reset_refuses_connect_at_once()
    {
        // Proves against tests/reference/kernel/30-reject-tcp-reset.txt: nf_send_reset answers the SYN with
        // R. seq 0 ack ISN+1 win 0, no options; the RST is backlogged while connect() holds the socket and
        // processed when it lets go, so connect() fails ECONNREFUSED at once.
        var lab = Connect("INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset", LinkSettings.Instant);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 R. seq 0 ack 1 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "30-reject-tcp-reset.txt");
        Expect.SameAsKernel(lab.ServerWire, "30-reject-tcp-reset.txt", "wire-server", lab.Wire.Origin);
        Assert.Contains("2.000 client connect(10.0.2.2:8080) -> ECONNREFUSED", lab.Calls.Of("client"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("port-unreachable", "INPUT -p tcp --dport 8080 -j REJECT", "10.0.2.2 tcp port 8080 unreachable", "ECONNREFUSED")]
    [InlineData("host-unreachable-connect", "INPUT -p tcp --dport 8080 -j REJECT --reject-with icmp-host-unreachable", "host 10.0.2.2 unreachable", "EHOSTUNREACH")]
    public void An_icmp_error_met_inside_connect_is_soft_and_the_retransmitted_syns_error_fails_it(string variant, string rule, string icmp, string errno)
    {
        // Proves against tests/reference/kernel/30-reject-port-unreachable.txt and -host-unreachable-connect.txt: on
        // this instant path the error to the SYN comes back while connect() still holds the socket (the kernel
        // counted TcpExtLockDroppedIcmps 1), so tcp_v4_err keeps it as the soft error only; the SYN goes again from
        // its 1 s timer, and that one's error fails connect() with the code's errno (kernel: 3.017 and 3.004 s).
        // The ICMP message quotes the whole SYN: length 8 + 20 + 40.
        var lab = Connect(rule, LinkSettings.Instant);
        Expect.Lines(
            $"""
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 10.0.2.2>10.0.1.2 ICMP {icmp}, length 68
            1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            1.000000 10.0.2.2>10.0.1.2 ICMP {icmp}, length 68
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, $"30-reject-{variant}.txt");
        Expect.SameAsKernel(lab.ServerWire, $"30-reject-{variant}.txt", "wire-server", lab.Wire.Origin);
        Assert.Contains($"3.000 client connect(10.0.2.2:8080) -> {errno}", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Equal(1, lab.ClientStack.Counters.LockDroppedIcmps);
    }

    [Fact]
    public void A_port_unreachable_that_arrives_after_connect_went_to_sleep_refuses_it_at_once()
    {
        // Proves against tests/reference/kernel/30-reject-port-unreachable-delayed.txt: through the delay line (10 ms
        // each way) the error arrives 20 ms after the SYN, when connect() sleeps without the socket: a hard error,
        // connect() fails ECONNREFUSED at once (kernel +24 ms) and the SYN is never sent again.
        var lab = Connect("INPUT -p tcp --dport 8080 -j REJECT", new LinkSettings(Duration.FromMilliseconds(5)), delayLine: true);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.020000 10.0.2.2>10.0.1.2 ICMP 10.0.2.2 tcp port 8080 unreachable, length 68    # kernel 0.021126
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "30-reject-port-unreachable-delayed.txt");
        Assert.Contains("2.020 client connect(10.0.2.2:8080) -> ECONNREFUSED", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Equal(0, lab.ClientStack.Counters.LockDroppedIcmps);
    }

    [Fact]
    public void Host_unreachables_for_data_revert_the_rto_backoff_until_rate_limited_and_become_the_timeout_errno()
    {
        // Proves against tests/reference/kernel/30-reject-host-unreachable-established.txt (tcp_retries2=3): the
        // server rejects the client's 100 bytes with host unreachables that quote the whole segment (length 8 + 152).
        // The first two (the send and the loss probe) find no backoff to undo; from the first RTO retransmission on,
        // each error undoes the doubling (tcp_ld_RTO_revert), so the retransmissions come every 204 ms. The server's
        // bucket for the client (icmp_ratelimit) runs dry after seven errors: the retransmissions at +1.428 and
        // +1.836 s get none and back off (408, 816 ms), the one at +2.652 s gets one again. The 3 s budget from the
        // first RTO retransmission is spent at the next firing (+3.468 s, kernel +3.545): recv() fails with the
        // soft error, EHOSTUNREACH, not ETIMEDOUT; send() then fails EPIPE. Counters as the kernel's nstat: 9
        // retransmissions (1 probe + 8 RTO), 9 RTO firings, 1 error met inside send(), 2 errors refused by the bucket.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_retries2=3"]);
        var rule = new DropRule(HookPoint.Input, "INPUT -p tcp --dport 8080 -m length --length 53:65535 -j REJECT --reject-with icmp-host-unreachable");
        lab.At(2.5, () => lab.AddRule(lab.Server, rule));
        lab.Run("server", lab.Server, p => Server(p, closeAt: 12.011));
        lab.Run("client", lab.Client, p => Client(p, established: true));
        foreach (double t in new[] { 3.1, 3.5, 5.0 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
        }

        lab.RunUntil(13);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.000000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160     # met inside send(): soft
            1.204000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 1.203466: loss probe
            1.204000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160
            1.408000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 1.411475: RTO, backoff 1
            1.408000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160     # reverts to backoff 0
            1.612000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 1.615468
            1.612000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160
            1.816000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.816000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160
            2.020000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            2.020000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160
            2.224000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 2.227456
            2.224000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160     # the seventh: bucket dry
            2.428000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 2.431470: no error
            2.836000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 2.871496: no error
            3.652000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100            # kernel 3.703472
            3.652000 10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 160
            10.011000 8080>40000 F. seq 1 ack 1 win 64 [TS]                           # the server process ends
            10.011000 40000>8080 R seq 1 win 0                                         # the client socket is gone
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "30-reject-host-unreachable-established.txt");
        Expect.SameAsKernel(lab.ServerWire, "30-reject-host-unreachable-established.txt", "wire-server", lab.Wire.Origin);
        Assert.Contains("6.468 client recv(65536) -> EHOSTUNREACH", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 6.547
        Assert.Contains("6.468 client send(10 bytes) -> EPIPE", lab.Calls.Of("client"), StringComparison.Ordinal);
        var counters = lab.ClientStack.Counters;
        Assert.Equal((9L, 9L, 1L, 1L, 1L), (counters.RetransmittedSegments, counters.Timeouts, counters.LossProbes, counters.AbortOnTimeout, counters.LockDroppedIcmps));
        Assert.Equal(2, lab.Server.DroppedCount(DropReason.IcmpRateLimit));
        Assert.Equal(10, lab.RuleMatches(lab.Server, rule));
        Expect.Lines(
            """
            ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,104ms,0)     # kernel at 3.102: on,100ms,0
            ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,112ms,1)     # kernel at 3.523: on,068ms,1
            ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,652ms,7)     # kernel at 5.003: on,688ms,7
            """,
            string.Join('\n', lab.SsLog.Select(s => s.Split('\n')[1])));
    }

    private static Lab Connect(string rule, LinkSettings links, bool delayLine = false)
    {
        var lab = Lab.Routed(links: links);
        if (delayLine)
        {
            lab.GsoOffBehindTheDelayLine();
        }

        lab.At(1.5, () => lab.AddRule(lab.Server, new DropRule(HookPoint.Input, rule)));
        lab.Run("server", lab.Server, p => Server(p, closeAt: 4.0));
        lab.Run("client", lab.Client, p => Client(p, established: false));
        lab.RunUntil(5);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, double closeAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return Script.Until(closeAt);
        yield return p.Accepted!.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, bool established)
    {
        yield return Script.Until(2.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        if (established)
        {
            yield return Script.Until(3.0);
            yield return socket.Send(100);
            yield return socket.Recv();
            yield return socket.Send(10);
        }

        yield return socket.Close();
    }
}
