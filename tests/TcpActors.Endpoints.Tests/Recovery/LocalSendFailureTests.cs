using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Recovery;

/// <summary>
/// Segments the sender's own OUTPUT chain refuses (iptables -A OUTPUT … -j DROP: the send fails with EPERM
/// before the wire): Linux retries them from its timers instead of losing track of them (no kernel recording;
/// the rules are tcp_retransmit_skb's, tcp_probe_timer's and tcp_send_probe0's).
/// </summary>
public sealed class LocalSendFailureTests
{
    [Fact]
    public void A_retransmission_refused_by_the_output_chain_starts_the_give_up_clock_and_the_next_one_delivers()
    {
        // Proves tcp_retransmit_skb's "save stamp of the first (attempted) retransmit": the data is lost on the
        // wire (server INPUT drop until 2.3 s), the RTO retransmission at 2.408 s is refused by the client's OUTPUT
        // chain (until 2.5 s), and the next one at 2.816 s goes out and is acknowledged. The refused attempt
        // stamped retrans_stamp, so the tcp_retries2 budget counts from 2.408 s, not from boot: no ETIMEDOUT.
        var lab = Lab.Routed();
        var wireLoss = new DropRule(HookPoint.Input, "INPUT -s 10.0.1.2 -m length --length 53:65535 -j DROP");
        var refused = new DropRule(HookPoint.Output, "OUTPUT -d 10.0.2.2 -m length --length 53:65535 -j DROP");
        lab.At(1.5, () => lab.AddRule(lab.Server, wireLoss));
        lab.At(2.3, () => lab.DeleteRule(lab.Server, wireLoss));
        lab.At(2.3, () => lab.AddRule(lab.Client, refused));
        lab.At(2.5, () => lab.DeleteRule(lab.Client, refused));
        lab.Run("server", lab.Server, p => AcceptAndRecv(p));
        lab.Run("client", lab.Client, p => ConnectSendAndWait(p, until: 5.0));
        lab.RunUntil(6);

        Expect.Lines(
            """
            1.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.204000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.816000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.816000 8080>40000 . ack 101 win 64 [TS]
            4.000000 40000>8080 F. seq 101 ack 1 win 63 [TS]
            4.040000 8080>40000 . ack 102 win 64 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(3)));
        Assert.Contains("2.816 server recv(1000) -> 100 bytes", lab.Calls.Of("server"), StringComparison.Ordinal);
        Assert.Contains("5.000 client close() -> 0", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Equal(1, lab.ClientStack.Counters.RetransmitFailures);
        Assert.Equal(1, lab.RuleMatches(lab.Client, refused));
    }

    [Fact]
    public void A_fin_refused_by_the_output_chain_is_sent_by_the_probe_timer_once_the_rule_goes()
    {
        // Proves tcp_probe_timer / tcp_write_wakeup for a queued FIN: the server close()s at 2 s while its OUTPUT
        // chain drops FINs (until 3 s). Nothing is in flight, so the refused FIN waits on the probe timer, which
        // retries it with backoff (tcp_send_probe0: 2.204, 2.612, then 3.428 s when the rule is gone); the client
        // then reads the end of the stream. Before, the timer saw no unsent data and gave up on the FIN.
        var lab = Lab.Routed();
        var refused = new DropRule(HookPoint.Output, "OUTPUT -p tcp --tcp-flags FIN FIN -j DROP");
        lab.At(1.5, () => lab.AddRule(lab.Server, refused));
        lab.At(3.0, () => lab.DeleteRule(lab.Server, refused));
        lab.Run("server", lab.Server, p => AcceptAndClose(p, at: 2.0));
        lab.Run("client", lab.Client, p => ConnectAndReadToEnd(p));
        lab.RunUntil(10);

        Expect.Lines(
            """
            2.428000 8080>40000 F. seq 1 ack 1 win 64 [TS]
            2.428000 40000>8080 F. seq 1 ack 2 win 63 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(3).Take(2)));
        Assert.Contains("3.428 client recv(1000) -> 0 bytes", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Equal(3, lab.RuleMatches(lab.Server, refused));
    }

    private static IEnumerable<Step> AcceptAndClose(ScriptedProcess p, double at)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return Script.Until(at);
        yield return p.Accepted!.Close();
    }

    private static IEnumerable<Step> ConnectAndReadToEnd(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return socket.Recv(1000);
        yield return socket.Close();
    }

    private static IEnumerable<Step> AcceptAndRecv(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return p.Accepted!.Recv(1000);
    }

    private static IEnumerable<Step> ConnectSendAndWait(ScriptedProcess p, double until)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(100);
        yield return Script.Until(until);
        yield return socket.Close();
    }
}
