using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// BBR (the lab's default congestion control, as on the kernel-lab namespaces) seen from the wire and ss -i: the
/// server sends full 1460-byte segments (no timestamps, GSO off) to a peer the test plays, whose handshake ACK comes
/// 1 µs after the SYN-ACK.
/// </summary>
public sealed class BbrDialogueTests
{
    private const ushort Window = 65535;

    [Fact]
    public void The_ack_of_a_small_request_opens_the_window_to_eleven()
    {
        // Proves bbr_set_cwnd before the pipe is full: the ACK of the 100-byte request delivered one segment while
        // tp->delivered (2: the SYN-ACK and the request) was below TCP_INIT_CWND, so cwnd = 10 + 1 = 11 although the
        // window was far from full (Reno keeps 10 here: CongestionWindowDialogueTests), and the 20000-byte write 50 ms
        // later leaves as eleven segments at once (the pacing rate, from a 1 µs handshake, holds nothing back).
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 100), (2.1, 20000)));
        Handshake(dialogue);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 101, window: Window);
        dialogue.ExpectUntil(2.09,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            """);
        dialogue.ExpectUntil(2.15, string.Join('\n', Enumerable.Range(0, 11).Select(i => $"2.100000 . seq {101 + (i * 1460)}:{101 + ((i + 1) * 1460)} ack 1 win 64240 length 1460")));
    }

    [Fact]
    public void Ss_shows_the_bbr_block_as_iproute2_prints_tcp_bbr_info()
    {
        // Proves bbr_get_info and ss's printing: after the handshake the server's BBR has never run bbr_main (the
        // handshake's last ACK reaches a listener's child with nothing queued), so its gains are 0 and left out, bw is
        // 0 and mrtt the SYN-ACK's 1 µs (0.001 ms), ssthresh infinite (not printed), cwnd 10. After the ACK of the
        // request (1 segment over 50 ms: bw = 2^24 / 50000 = 335, × 1460 × 10^6 >> 24 = 29152 bytes a second, 233216
        // bit/s) STARTUP's gains 739/256 = 2.88672 and cwnd 11. After the RTO at 2.308 (nothing ACKed the eleven)
        // tcp_enter_loss leaves cwnd at what is in flight plus one, and bbr_ssthresh keeps ssthresh infinite.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 100), (2.1, 20000)));
        Handshake(dialogue);
        var lines = new List<string>();
        dialogue.Lab.At(1.5, () => lines.Add(Info(dialogue)));
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 101, window: Window);
        dialogue.Lab.At(2.06, () => lines.Add(Info(dialogue)));
        dialogue.Lab.At(2.31, () => lines.Add(Info(dialogue)));
        dialogue.Lab.RunUntil(2.35);
        Assert.Contains(" cwnd:10 segs_in:2 bbr:(bw:0bps,mrtt:0.001) send ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" cwnd:11 bytes_sent:100 bytes_acked:100 segs_out:1 segs_in:3 data_segs_out:1 bbr:(bw:233216bps,mrtt:0.001,pacing_gain:2.88672,cwnd_gain:2.88672) send ", lines[1], StringComparison.Ordinal);
        Assert.Contains(" cwnd:1 bytes_sent:17620 bytes_retrans:1460 ", lines[2], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.DoesNotContain("ssthresh:", l.Replace("rcv_ssthresh:", "", StringComparison.Ordinal), StringComparison.Ordinal));
    }

    private static string Info(Dialogue dialogue) =>
        SsInfoText.Format(dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established), numericRates: true);

    private static void Handshake(Dialogue dialogue)
    {
        dialogue.TurnGsoOff();
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: Window, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: Window);
    }
}
