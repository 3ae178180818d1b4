using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// CUBIC (tcp_cubic.c) against Reno (tcp_cong.c) on the same ACKs, and TCP_CONGESTION choosing between them per
/// socket. The peer ACKs every data segment the server sent in the previous round, one ACK each, 0.1 ms apart, in
/// rounds 50 ms apart (an RTT of 50 ms: usecs_to_jiffies gives 13 jiffies of delay_min).
/// </summary>
public sealed class CubicDialogueTests
{
    [Theory]
    [InlineData(null, 28, 30)]
    [InlineData("reno", 20, 21)]
    public void A_loss_leaves_cubic_seven_tenths_of_the_window_and_it_grows_back_toward_the_old_one(string? congestion, int afterLoss, int afterRound)
    {
        // Proves cubictcp_recalc_ssthresh against tcp_reno_ssthresh, and TCP_CONGESTION per socket (the sysctl says
        // cubic; setsockopt makes this socket reno). Slow start takes the window to 40 (10, 20 ACKed); the first of the
        // 40 segments then is lost, the others SACKed: recovery cuts ssthresh to 40 × 717 / 1024 = 28 (Reno: 20) and
        // the window ends there when the retransmission is ACKed (2.20). That ACK starts CUBIC's epoch (jiffy 550) with
        // W_max 40: K = cubic_root(cube_factor × 12) = 3179 (3.1 s), t = 13 jiffies of delay_min × 1024 / 250 = 53,
        // offs 3126, delta = 410 × 3126³ >> 40 = 11, target 29: cnt = 28 / (29 − 28) = 28; the round's ACKs (fewer
        // than 28) only count. At the next round's first ACK (jiffy 562) t = (12 + 13) × 1024 / 250 = 102, delta 10,
        // target 30: cnt = 28 / 2 = 14, which the count already passed: 29; within the jiffy cnt stays 14 and 14 more
        // ACKs make 30. Reno (w = 20) counts on from the recovery round and adds one in the next: 21.
        var dialogue = Dialogue.WithListener(Sender(congestion), "net.ipv4.tcp_congestion_control=cubic", "net.ipv4.tcp_early_retrans=0");
        Handshake(dialogue);
        var peer = new RoundPeer(dialogue);
        peer.Round(2.05);
        peer.Round(2.10);
        Assert.Equal((40, (int?)null), Window(dialogue, 2.14));
        peer.Round(2.15, drop: 0);
        Assert.Equal(afterLoss, Window(dialogue, 2.19).Ssthresh);
        peer.Round(2.20);
        Assert.Equal((afterLoss, (int?)afterLoss), Window(dialogue, 2.24));
        peer.Round(2.25);
        Assert.Equal((afterRound, (int?)afterLoss), Window(dialogue, 2.29));
    }

    [Fact]
    public void Hystart_ends_slow_start_when_a_rounds_rtt_rises_above_delay_min()
    {
        // Proves hystart_update's delay detector: rounds of 50 ms take the window to 40 (delay_min 50.1 ms); the third
        // round is ACKed 70 ms after it was sent. Its first ACK starts a new round (snd_una passes end_seq), eight
        // samples set curr_rtt (70 ms), and at the ninth curr_rtt > delay_min + max(delay_min / 8, 4 ms): ssthresh =
        // cwnd, which eight ACKs of slow start had made 48. The remaining ACKs grow the window in congestion avoidance
        // (cnt 20 before any loss: 31 ACKs add one): 49. Reno, on the same ACKs, doubles to 80.
        foreach (var (congestion, expected) in (ReadOnlySpan<(string?, (int, int?))>)[(null, (49, 48)), ("reno", (80, null))])
        {
            var dialogue = Dialogue.WithListener(Sender(congestion), "net.ipv4.tcp_congestion_control=cubic", "net.ipv4.tcp_early_retrans=0");
            Handshake(dialogue);
            var peer = new RoundPeer(dialogue);
            peer.Round(2.05);
            peer.Round(2.10);
            peer.Round(2.17);
            Assert.Equal(expected, Window(dialogue, 2.21));
        }
    }

    private static (int Cwnd, int? Ssthresh) Window(Dialogue dialogue, double at)
    {
        dialogue.Lab.RunUntil(at);
        var socket = dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established);
        return (socket.CongestionWindow!.Value, socket.SlowStartThreshold);
    }

    private static void Handshake(Dialogue dialogue)
    {
        dialogue.Lab.SetGsoMaxSegs(dialogue.Lab.Server, 1); // one segment per sk_buff: the peer ACKs each
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 65535, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasWindowScale = true, WindowScale = 7 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 2000);
    }

    private static Func<ScriptedProcess, Sock, IEnumerable<Step>> Sender(string? congestion) => (_, socket) => Send(socket, congestion);

    private static IEnumerable<Step> Send(Sock socket, string? congestion)
    {
        if (congestion is not null)
        {
            yield return socket.SetOptions($"TCP_CONGESTION {congestion}", o => o with { CongestionControl = congestion });
        }

        yield return Script.Until(2.0);
        yield return socket.Send(1_000_000);
        yield return Script.Until(3.0);
    }

    /// <summary>
    /// A receiver that, at each round, ACKs the data segments the server sent since the last round one by one
    /// (cumulative ACK, one SACK block above a hole), optionally dropping one of them for good (its retransmission is
    /// taken in a later round).
    /// </summary>
    private sealed class RoundPeer(Dialogue dialogue)
    {
        private int _taken;
        private uint _rcvNxt = 1;
        private (uint Left, uint Right)? _above;
        private uint? _isn;

        public void Round(double at, int? drop = null)
        {
            dialogue.Lab.RunUntil(at - 0.001);
            var sent = dialogue.Lab.Wire.Segments.Skip(_taken).Select(s => s.Record).ToList();
            _taken += sent.Count;
            _isn ??= dialogue.Lab.Wire.Segments.First(s => s.Record.Source.Port == 8080 && (s.Record.Flags & TcpFlags.Syn) != 0).Record.Seq;
            double time = at;
            int index = 0;
            foreach (var segment in sent.Where(s => s.Source.Port == 8080 && s.Length > 0))
            {
                if (index++ == drop)
                {
                    continue;
                }

                Receive(segment.Seq - _isn.Value, (uint)segment.Length);
                var sack = _above is { } block ? new[] { block } : null;
                dialogue.Inject(time, TcpFlags.Ack, 1, _rcvNxt, window: 2000, sack: sack);
                time += 0.0001;
            }
        }

        private void Receive(uint seq, uint length)
        {
            uint end = seq + length;
            if (seq <= _rcvNxt)
            {
                _rcvNxt = Math.Max(_rcvNxt, end);
                if (_above is { } block && block.Left <= _rcvNxt)
                {
                    _rcvNxt = Math.Max(_rcvNxt, block.Right);
                    _above = null;
                }
            }
            else
            {
                _above = _above is { } block ? (Math.Min(block.Left, seq), Math.Max(block.Right, end)) : (seq, end);
            }
        }
    }
}
