using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 55: TCP_USER_TIMEOUT. Linux gives up on a connection once the user timeout has passed since the first
/// retransmission (the SYN's send time in SYN-SENT), since the last segment received (keepalive) or since the first
/// window probe, and clamps each retransmission or probe timer to the time left so that it fires exactly then
/// (tcp_clamp_rto_to_user_timeout, tcp_clamp_probe0_to_user_timeout).
/// </summary>
public sealed class UserTimeoutExperimentTests
{
    [Fact]
    public void Connect_gives_up_when_the_user_timeout_passes_and_not_after_syn_retries()
    {
        // Proves against tests/reference/kernel/55-user-timeout-syn.txt (TCP_USER_TIMEOUT 1500 ms, SYNs dropped): the
        // SYN at 0, its retransmission at 1 s, then the timer clamped to the 0.5 s left; connect() fails with
        // ETIMEDOUT 1.5 s after the SYN, not after tcp_syn_retries.
        var lab = Run("syn", 1500);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 1.017702
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "55-user-timeout-syn.txt");
        Assert.Equal("2.500 client connect(10.0.2.2:8080) -> ETIMEDOUT", EtimedoutLine(lab)); // kernel 2.530
        Assert.Equal("SYN-SENT 0 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,300ms,1)", lab.SsLog[1].Split('\n')[1]); // kernel 300ms at 2.200
    }

    [Fact]
    public void Lost_data_gives_up_when_the_user_timeout_passes_since_the_first_retransmission()
    {
        // Proves against tests/reference/kernel/55-user-timeout-data.txt (TCP_USER_TIMEOUT 2000 ms, data dropped): the
        // loss probe at +204 ms, RTO retransmissions at +408, +816, +1632 ms; the next RTO (1.6 s) is clamped to
        // the 0.78 s left of the 2 s counted from the first RTO retransmission, and recv() fails with ETIMEDOUT
        // there (+2.408 s, not after 3.2 s more), with no reset.
        var lab = Run("data", 2000);
        Expect.SameAsKernel(lab.Wire, "55-user-timeout-data.txt");
        Assert.Equal("4.408 client recv(1000) -> ETIMEDOUT", EtimedoutLine(lab)); // kernel 4.426 (its RTOs fire a tick later, see "Ticks")
        Assert.DoesNotContain(" R", lab.Wire.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keepalive_gives_up_at_the_first_probe_time_past_the_user_timeout_with_a_reset()
    {
        // Proves against tests/reference/kernel/55-user-timeout-keepalive.txt (TCP_USER_TIMEOUT 2500 ms, keepalive
        // 1 s / 1 s / 9 probes, the server's segments dropped): probes at 1 and 2 s of idleness; at 3 s the time
        // since the last segment received is past the user timeout and a probe is out, so the connection is reset
        // (R.) and recv() fails with ETIMEDOUT, long before the 9 probes.
        var lab = Run("keepalive", 2500);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 . ack 1 win 63 [TS]          # kernel 1.031480
            2.000000 40000>8080 . ack 1 win 63 [TS]          # kernel 2.055468
            3.000000 40000>8080 R. seq 1 ack 1 win 63 [TS]   # kernel 3.079471
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "55-user-timeout-keepalive.txt");
        Assert.Equal("4.000 client recv(1000) -> ETIMEDOUT", EtimedoutLine(lab)); // kernel 4.088
    }

    [Fact]
    public void Window_probes_answered_with_a_zero_window_give_up_at_the_user_timeout()
    {
        // Proves against tests/reference/kernel/55-user-timeout-zero-window.txt (TCP_USER_TIMEOUT 2500 ms; the server,
        // SO_RCVBUF 4096, never reads): the peer answers every probe with a zero window, which resets the probe
        // count but not the time of the first probe; the probe timer is clamped to the time left and the socket
        // gives up 2.5 s after its first probe (ETIMEDOUT, no reset). The receiver rate-limits its answers to the
        // probes (below its window, tcp_oow_rate_limited): the second probe, 0.45 s after the first, gets none.
        var lab = Run("zero-window", 2500);
        // The data segments are compared apart: the kernel's writer copied while the first ACK came back (its
        // place among them differs, see "Process timing") and marked PSH where the simulator's does not
        // (forced_push, see "The sender's segments and PSH"); everything without data is compared in order.
        Expect.SameAsKernel(lab.Wire, "55-user-timeout-zero-window.txt", only: r => r.Length == 0);
        Assert.Equal("4.260 client recv(1000) -> ETIMEDOUT", EtimedoutLine(lab)); // kernel 4.311: 2.5 s after its first probe, 43 ms later than ours
    }

    private static string EtimedoutLine(Lab lab) =>
        lab.Calls.Of("client").Split('\n').Single(l => l.Contains("ETIMEDOUT", StringComparison.Ordinal)).Split('#')[0].Trim();

    private static Lab Run(string variant, int userTimeoutMs)
    {
        string[] reno = ["net.ipv4.tcp_congestion_control=reno"];
        var lab = Lab.Routed(client: reno, server: reno);
        if (variant == "syn")
        {
            lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -p tcp --syn -j DROP"));
        }
        else if (variant == "data")
        {
            lab.At(1.5, () => lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -d 10.0.2.2 -p tcp -m length --length 53:65535 -j DROP")));
        }
        else if (variant == "keepalive")
        {
            lab.At(1.5, () => lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -j DROP")));
        }

        lab.Run("server", lab.Server, p => Server(p, variant));
        lab.Run("client", lab.Client, p => Client(p, variant, userTimeoutMs));
        foreach (var t in new[] { 1.2, 2.2, 3.2, 4.2 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
        }

        lab.RunUntil(10);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, string variant)
    {
        var listener = p.Socket();
        if (variant == "zero-window")
        {
            yield return listener.SetOptions("SO_RCVBUF 4096", o => o with { ReceiveBuffer = 4096 });
        }

        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        if (variant != "syn")
        {
            yield return listener.Accept();
        }
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, string variant, int userTimeoutMs)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.SetOptions(
            $"TCP_USER_TIMEOUT {userTimeoutMs}",
            o => o with { UserTimeout = new Duration(userTimeoutMs * 1_000_000L) });
        if (variant == "keepalive")
        {
            yield return socket.SetOptions("SO_KEEPALIVE 1, TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 9", o => o with { KeepAlive = true, KeepIdleSeconds = 1, KeepIntervalSeconds = 1, KeepCount = 9 });
        }

        yield return socket.Connect("10.0.2.2:8080");
        if (variant == "data")
        {
            yield return Script.Until(2.0);
            yield return socket.Send(100);
        }
        else if (variant == "zero-window")
        {
            yield return Script.Until(1.5);
            yield return socket.Send(8000);
        }

        yield return socket.Recv(1000);
        yield return socket.Close();
    }
}
