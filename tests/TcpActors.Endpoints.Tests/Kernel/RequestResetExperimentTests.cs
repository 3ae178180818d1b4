using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 67: RSTs arriving at request sockets (SYN-RECV, tcp_check_req) other than the one at rcv_nxt.</summary>
public sealed class RequestResetExperimentTests
{
    [Fact]
    public void An_rst_inside_a_request_s_window_draws_a_rate_limited_ack_one_at_rcv_nxt_drops_it_whatever_its_ack()
    {
        // Proves against tests/reference/kernel/67-request-rst.txt. Six raw peers' SYNs at 2.0 make six requests on a
        // listener that accepts nothing; at 2.2:
        //   A: RST+ACK at 101 (in the window, not rcv_nxt) -> ACK (ack 1), the request stays; the same 50 ms later -> nothing
        //   B: RST+ACK far out of the window                -> nothing, the request stays
        //   C: RST+ACK at rcv_nxt acking 5 (not the SYN-ACK) -> the request dropped silently (the ACK check comes after)
        //   D: RST+ACK at 101 acking 5                       -> ACK, the request stays
        //   E: a bare ACK out of the window -> ACK (stamps the limit); RST+ACK at 101 50 ms later -> nothing (same limit)
        //   F: RST+ACK at 101 -> ACK; its SYN-ACK is resent at 3.0 by the untouched timer
        // At 2.4 the ACKs of the SYN-ACK complete A, B, D and E; C's meets no request (`R` at its ack).
        // Before: an RST anywhere in the window dropped the request, and one acking something else was answered as
        // an ACK (a reset nobody sends) with the request kept.
        var dialogue = Dialogue.WithListener();
        var lab = dialogue.Lab;
        var syn = new TcpOptions { Mss = 1460, SackPermitted = true };
        for (ushort i = 0; i < 6; i++)
        {
            dialogue.Inject(2.0 + (i * 0.00005), TcpFlags.Syn, 0, window: 64240, options: syn, peerPort: (ushort)(40000 + i));
        }

        const TcpFlags rst = TcpFlags.Rst | TcpFlags.Ack;
        dialogue.Inject(2.1970, rst, 101, 1, window: 65535, peerPort: 40000);
        dialogue.Inject(2.1972, rst, 1000001, 1, window: 65535, peerPort: 40001);
        dialogue.Inject(2.1974, rst, 1, 5, window: 65535, peerPort: 40002);
        dialogue.Inject(2.1975, rst, 101, 5, window: 65535, peerPort: 40003);
        dialogue.Inject(2.1976, TcpFlags.Ack, 1000001, 1, window: 65535, peerPort: 40004);
        dialogue.Inject(2.1978, rst, 101, 1, window: 65535, peerPort: 40005);
        dialogue.Inject(2.2469, rst, 101, 1, window: 65535, peerPort: 40000);
        dialogue.Inject(2.2471, rst, 101, 1, window: 65535, peerPort: 40004);
        for (ushort i = 0; i < 5; i++)
        {
            dialogue.Inject(2.3969 + (i * 0.0001), TcpFlags.Ack, 1, 1, window: 65535, peerPort: (ushort)(40000 + i));
        }

        foreach (double t in new[] { 2.1, 2.3, 2.5 })
        {
            lab.At(t, () => lab.Ss(lab.Server, "server"));
        }

        lab.RunUntil(3.6);
        // The kernel's listener process exits at 4.0 and resets the four children in its accept queue; the simulated
        // one stays open: compared up to then.
        Expect.SameAsKernel(lab.Wire, "67-request-rst.txt", untilSeconds: 1.9);
        Assert.Equal(
            ["40000", "40001", "40002", "40003", "40004", "40005"],
            SynRecvPorts(lab.SsLog[0]));
        Assert.Equal(["40000", "40001", "40003", "40004", "40005"], SynRecvPorts(lab.SsLog[1])); // kernel: C gone
        Assert.Equal(["40005"], SynRecvPorts(lab.SsLog[2])); // kernel: A, B, D, E ESTAB
        Assert.Equal(1, lab.ServerStack.Counters.AttemptFails); // C's RST
    }

    [Fact]
    public void With_timestamps_a_segment_echoing_a_ts_val_no_syn_ack_carried_is_out_of_the_window()
    {
        // Proves against tests/reference/kernel/67-request-rst-ts.txt (timestamps, window scale 7 and 10): the ACK the
        // in-window RST draws carries the scaled window (63) and echoes the SYN's TS val (2001; the RST does not update
        // ts_recent). The raw peer then echoes that ACK's TS val, which no SYN-ACK carried: Linux 6.15+'s tsecr_reject
        // makes its ACK of the SYN-ACK (dropped: the ACK limit stamped at 2.2) and its 10 bytes (ACKed: data passes
        // the limit) unacceptable, so the handshake never completes and the SYN-ACK is resent at 3.0. Before: no
        // tsecr check, the ACK completed the handshake.
        var dialogue = Dialogue.WithListener(AcceptNothing);
        dialogue.Timestamps = true;
        var lab = dialogue.Lab;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 2001, HasWindowScale = true, WindowScale = 7 });
        dialogue.Inject(2.1997, TcpFlags.Rst | TcpFlags.Ack, 101, 1, window: 512);
        dialogue.Inject(2.3997, TcpFlags.Ack, 1, 1, window: 512);
        dialogue.Inject(2.4997, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 10, window: 512);
        lab.At(2.6, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(3.3);
        Expect.SameAsKernel(lab.Wire, "67-request-rst-ts.txt");
        Assert.Equal([2001u, 2001u], dialogue.Received.Where(s => s.Segment.Flags == TcpFlags.Ack).Select(s => s.Segment.Options.TsEcr));
        Assert.StartsWith("SYN-RECV 0 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[0].Split('\n')[1], StringComparison.Ordinal);
    }

    private static IEnumerable<Step> AcceptNothing(ScriptedProcess p, Sock socket)
    {
        yield break;
    }

    private static string[] SynRecvPorts(string ss) =>
        [.. ss.Split('\n').Where(l => l.StartsWith("SYN-RECV", StringComparison.Ordinal)).Select(l => l.Split(' ')[4].Split(':')[1]).Order(StringComparer.Ordinal)];
}
