using System.Globalization;
using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// sk_pacing_rate (tcp_update_pacing_rate) and TCP's internal pacing with SO_MAX_PACING_RATE: EDT departure times
/// (tcp_update_skb_after_send), tcp_pacing_check in tcp_write_xmit and the pacing timer. The server sends full
/// 1460-byte segments (no timestamps; GSO off on its interface, as in experiment 50), with reno, whose
/// sk_pacing_rate is tcp_update_pacing_rate's (BBR, the lab's default, sets its own and always paces).
/// </summary>
public sealed class PacingDialogueTests
{
    private const ushort Window = 65535;

    /// <summary>146000 bytes a second: one 1460-byte segment takes 10 ms.</summary>
    private const long Rate = 146_000;

    [Fact]
    public void With_a_maximum_rate_segments_after_the_first_ten_leave_len_over_rate_apart()
    {
        // Proves tcp_update_skb_after_send: the first ten segments leave at once (data_segs_out < 10), the tenth pushes
        // tcp_wstamp_ns to 2.010 (no credit: the ninth left at the same instant). The ACK at 2.05 finds it past: the
        // eleventh leaves at once, and as the socket was idle 40 ms (credit) it counts only half its 10 ms; then one
        // every 10 ms from the pacing timer, though the window (20 after the ACK) would let all ten go at once.
        var dialogue = Paced(Rate);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.ExpectUntil(2.2, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, 1, 10, gap: 0)
            + "\n" + Flight(2.05, 14601, 1, gap: 0) + "\n" + Flight(2.055, 16061, 9, gap: 0.010, pushLast: true));
    }

    [Fact]
    public void An_ack_before_the_departure_time_sends_nothing_until_the_pacing_timer()
    {
        // Proves tcp_pacing_check: the ACK at 2.004 opens the window while tcp_wstamp_ns is 2.010: tcp_write_xmit stops
        // and arms the pacing timer, which sends the eleventh at 2.010 with no credit (on time), then one every 10 ms.
        var dialogue = Paced(Rate);
        dialogue.Inject(2.004, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.ExpectUntil(2.0099, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, 1, 10, gap: 0));
        dialogue.ExpectUntil(2.2, Flight(2.010, 14601, 10, gap: 0.010, pushLast: true));
    }

    [Fact]
    public void Without_a_maximum_rate_nothing_is_paced()
    {
        // Proves tcp_needs_internal_pacing: sk_pacing_status stays SK_PACING_NONE without SO_MAX_PACING_RATE (and
        // without a congestion control that asks), so the ACK lets the next ten segments go at once.
        var dialogue = Paced(maxPacingRate: null);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.ExpectUntil(2.2, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, 1, 10, gap: 0) + "\n" + Flight(2.05, 14601, 10, gap: 0, pushLast: true));
    }

    [Fact]
    public void Retransmissions_of_lost_segments_are_paced_too()
    {
        // Proves tcp_pacing_check in tcp_xmit_retransmit_queue and tcp_tsq_write's retransmission (lost_out >
        // retrans_out) when the pacing timer fires: ten segments at 2.0; at 2.05 one ACK SACKs the last six, RACK marks
        // the first four lost (sacked_out reached tcp_reordering: no reordering window) and fast recovery lets PRR send
        // them all, but pacing spaces them: the first at once with half its 10 ms (credit for the 40 ms unused since
        // the tenth's departure time), the others 10 ms apart.
        // No loss probe (tcp_early_retrans=0): the peer's SACK is what reveals the loss.
        var dialogue = Dialogue.WithListener((_, socket) => WritesOf(socket, Rate, 14600), "net.ipv4.tcp_congestion_control=reno", "net.ipv4.tcp_early_retrans=0");
        Handshake(dialogue, sack: true);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 1, window: Window, sack: [(5841, 14601)]);
        dialogue.ExpectUntil(2.2, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, 1, 10, gap: 0, pushLast: true)
            + "\n" + Flight(2.05, 1, 1, gap: 0) + "\n" + Flight(2.055, 1461, 3, gap: 0.010));
    }

    [Fact]
    public void A_lower_maximum_set_later_applies_at_once_and_ss_shows_both_rates()
    {
        // Proves sock_setsockopt's SO_MAX_PACING_RATE on a connected socket: the rate in force drops to the new maximum at
        // once (before any ACK updates it), and ss -i prints pacing_rate/max_pacing_rate in bits a second (sprint_bw).
        var dialogue = Dialogue.WithListener((_, socket) => SetRateLater(socket), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue, sack: false);
        var snapshots = new List<SocketSnapshot>();
        dialogue.Lab.At(1.5, () => snapshots.Add(Established(dialogue)));
        dialogue.Lab.At(2.5, () => snapshots.Add(Established(dialogue)));
        dialogue.Lab.RunUntil(3.0);
        // 1.5: 200 % of 1460 × 10 / 10 ms in slow start (srtt from the SYN-ACK); 2.5: the maximum, 146000 B/s.
        // The full ss -i line has every tcp_info field; cwnd and the pacing rates are the ones this test is about.
        Assert.Contains(" cwnd:10 ", SsInfoText.Format(snapshots[0], numericRates: true), StringComparison.Ordinal);
        Assert.Equal(" pacing_rate 23360000bps", SsInfoText.PacingRate(snapshots[0], numericRates: true));
        Assert.Contains(" pacing_rate 23360000bps ", SsInfoText.Format(snapshots[0], numericRates: true), StringComparison.Ordinal);
        Assert.Contains(" cwnd:10 ", SsInfoText.Format(snapshots[1], numericRates: true), StringComparison.Ordinal);
        Assert.Contains(" pacing_rate 1168000bps/1168000bps ", SsInfoText.Format(snapshots[1], numericRates: true), StringComparison.Ordinal);
        Assert.Contains(" pacing_rate 1.17Mbps/1.17Mbps ", SsInfoText.Format(snapshots[1], numericRates: false), StringComparison.Ordinal);
    }

    [Fact]
    public void The_pacing_rate_is_twice_mss_cwnd_over_srtt_in_slow_start_and_120_percent_past_half_ssthresh()
    {
        // Proves tcp_update_pacing_rate's two ratios: at establishment cwnd 10 is below half of an infinite ssthresh:
        // tcp_pacing_ss_ratio (200 %) applies, tcp_pacing_ca_ratio does not; after a fast recovery (three SACKed
        // segments, then everything ACKed) cwnd is back at ssthresh, no longer below half of it: the CA ratio
        // applies, the SS ratio does not. Each ratio is doubled in a second run: only the rate it governs doubles.
        var normal = RecoveryRates();
        var ssDoubled = RecoveryRates("net.ipv4.tcp_pacing_ss_ratio=400");
        var caDoubled = RecoveryRates("net.ipv4.tcp_pacing_ca_ratio=240");
        Assert.Equal(2_920_000, normal.SlowStart.PacingRate);
        Assert.Equal(2 * normal.SlowStart.PacingRate, ssDoubled.SlowStart.PacingRate);
        Assert.Equal(normal.SlowStart.PacingRate, caDoubled.SlowStart.PacingRate);

        var after = normal.AfterRecovery;
        Assert.True(after.SlowStartThreshold is { } ssthresh && after.CongestionWindow >= ssthresh / 2, $"cwnd {after.CongestionWindow}, ssthresh {after.SlowStartThreshold}");
        Assert.Equal(normal.AfterRecovery.PacingRate, ssDoubled.AfterRecovery.PacingRate);
        Assert.Equal(2 * normal.AfterRecovery.PacingRate, caDoubled.AfterRecovery.PacingRate);
    }

    [Fact]
    public void A_negative_maximum_is_refused()
    {
        // Proves the option's validation on the socket: a rate below zero (or ~0 given as a number) fails with EINVAL
        // and changes nothing: the socket does not pace.
        var dialogue = Dialogue.WithListener((_, socket) => Refused(socket), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue, sack: false);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.ExpectUntil(2.2, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, 1, 10, gap: 0) + "\n" + Flight(2.05, 14601, 10, gap: 0, pushLast: true));
        Assert.Contains("setsockopt(SO_MAX_PACING_RATE -1) -> EINVAL", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal);
    }

    /// <summary>A server that sets SO_MAX_PACING_RATE (if given) when it accepts, then writes 20 segments at 2.0.</summary>
    private static Dialogue Paced(long? maxPacingRate)
    {
        var dialogue = Dialogue.WithListener((_, socket) => Writes(socket, maxPacingRate), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue, sack: false);
        return dialogue;
    }

    private static IEnumerable<Step> Writes(Sock socket, long? maxPacingRate) => WritesOf(socket, maxPacingRate, 29200);

    private static IEnumerable<Step> WritesOf(Sock socket, long? maxPacingRate, int bytes)
    {
        if (maxPacingRate is { } rate)
        {
            yield return socket.SetOptions(string.Create(CultureInfo.InvariantCulture, $"SO_MAX_PACING_RATE {rate}"), o => o with { MaxPacingRate = rate });
        }

        yield return Script.Until(2.0);
        yield return socket.Send(bytes);
        yield return Script.Until(3.0);
    }

    private static IEnumerable<Step> SetRateLater(Sock socket)
    {
        yield return Script.Until(2.0);
        yield return socket.SetOptions("SO_MAX_PACING_RATE 146000", o => o with { MaxPacingRate = Rate });
        yield return Script.Until(3.0);
    }

    private static IEnumerable<Step> Refused(Sock socket)
    {
        yield return socket.SetOptions("SO_MAX_PACING_RATE -1", o => o with { MaxPacingRate = -1 });
        yield return Script.Until(2.0);
        yield return socket.Send(29200);
        yield return Script.Until(3.0);
    }

    /// <summary>
    /// Ten segments at 2.0; the peer SACKs the 2nd to 4th at 2.02, 2.021 and 2.022 (fast retransmit of the first),
    /// then ACKs everything at 2.05. Snapshots at 1.5 (slow start) and 2.1 (after the recovery).
    /// </summary>
    private static (SocketSnapshot SlowStart, SocketSnapshot AfterRecovery) RecoveryRates(params string[] sysctls)
    {
        var dialogue = Dialogue.WithListener((_, socket) => WriteTen(socket), ["net.ipv4.tcp_congestion_control=reno", .. sysctls]);
        Handshake(dialogue, sack: true);
        for (int k = 1; k <= 3; k++)
        {
            dialogue.Inject(2.02 + (0.001 * (k - 1)), TcpFlags.Ack, 1, 1, window: Window, sack: [(1461, (uint)(1461 + (1460 * k)))]);
        }

        dialogue.Inject(2.05, TcpFlags.Ack, 1, 14601, window: Window);
        var snapshots = new List<SocketSnapshot>();
        dialogue.Lab.At(1.5, () => snapshots.Add(Established(dialogue)));
        dialogue.Lab.At(2.1, () => snapshots.Add(Established(dialogue)));
        dialogue.Lab.RunUntil(2.2);
        Assert.Contains(dialogue.Lab.Wire.Segments, s => s.Record.Seq != 0 && s.At > 2_020_000_000 && s.At < 2_050_000_000 && s.Record.Length == 1460 && s.Record.Source.Port == 8080);
        return (snapshots[0], snapshots[1]);
    }

    private static IEnumerable<Step> WriteTen(Sock socket)
    {
        yield return Script.Until(2.0);
        yield return socket.Send(14600);
        yield return Script.Until(3.0);
    }

    /// <summary>SYN at 1.0 (MSS 1460), the third ACK at 1.01: the SYN-ACK's RTT sample makes srtt 10 ms. GSO off.</summary>
    private static void Handshake(Dialogue dialogue, bool sack)
    {
        dialogue.Lab.SetGsoMaxSegs(dialogue.Lab.Server, 1);
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: Window, options: new TcpOptions { Mss = 1460, SackPermitted = sack });
        dialogue.Inject(1.01, TcpFlags.Ack, 1, 1, window: Window);
    }

    private static SocketSnapshot Established(Dialogue dialogue) => dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established);

    /// <summary><paramref name="count"/> full segments from <paramref name="first"/>, <paramref name="gap"/> seconds apart from <paramref name="at"/>.</summary>
    private static string Flight(double at, int first, int count, double gap, bool pushLast = false) =>
        string.Join('\n', Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{at + (i * gap):F6} {(pushLast && i == count - 1 ? "P." : ".")} seq {first + (i * 1460)}:{first + ((i + 1) * 1460)} ack 1 win 64240 length 1460")));
}
