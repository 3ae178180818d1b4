using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// Delivery-rate sampling as net/ipv4/tcp_rate.c does it, seen through ss -i (tcpi_delivered, tcpi_delivery_rate,
/// tcpi_delivery_rate_app_limited). The peer is injected with MSS 1460 and no options, so mss_cache is 1460 and a
/// rate is rate_delivered × 1460 × 10⁶ / rate_interval_us bytes a second (ss prints it × 8). The handshake's third
/// ACK comes 100 ms after the SYN-ACK, so the minimum RTT is 100 ms. Every expected value is worked out by hand
/// from tcp_rate_skb_sent, tcp_rate_skb_delivered, tcp_rate_gen and tcp_rate_check_app_limited. Reno, so that
/// nothing paces (BBR, the lab's default, would, and its PROBE_RTT marks the connection application-limited).
/// </summary>
public sealed class RateSampleDialogueTests
{
    private const ushort Window = 65535;

    [Fact]
    public void A_window_sent_into_an_app_limited_bubble_gives_an_app_limited_rate_over_the_ack_phase()
    {
        // send() at 2.0 finds nothing in flight: app_limited = delivered (1, the SYN-ACK) + 0 in flight = 1. Ten
        // segments leave at 2.0 into an empty flight (first_tx_mstamp = delivered_mstamp = 2.000000 s), each stamped
        // delivered 1 and app-limited. The ACK at 2.1 delivers the ten: delivered 11 ends the bubble; the sample's
        // send phase is 0 (all sent at once), its ACK phase 2.1 − 2.0 = 100 000 µs, not below min_rtt (100 000 µs),
        // so 10 segments over 100 000 µs: 146 000 B/s, 1 168 000 bit/s, kept (the first sample) and app-limited.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 60000)), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 14601, window: Window);
        var taken = InfoAt(dialogue, 2.1001);
        dialogue.Lab.RunUntil(2.11);
        var line = Assert.Single(taken);
        Assert.Equal("11", line["delivered"]);
        Assert.Equal("1168000bps", line["delivery_rate"]);
        Assert.True(line.Has("app_limited"), line.Line);
    }

    [Fact]
    public void Each_unlimited_sample_replaces_the_rate_and_min_rtt_is_updated_before_the_check()
    {
        // After the ACK at 2.1 (above: 10 over 100 000 µs, app-limited) twenty segments leave at 2.1 into an empty
        // flight (first_tx_mstamp = delivered_mstamp = 2.1 s, delivered 11, not app-limited: the bubble ended).
        // The ACK at 2.15 delivers ten of them: send phase 0, ACK phase 50 000 µs. tcp_ack_update_rtt has already
        // taken the 50 ms RTT into min_rtt, so the interval is not shorter than min_rtt and counts: 10 over 50 000 µs,
        // 292 000 B/s (2336000bps), not app-limited, delivered 21. The ACK at 2.35 delivers the other ten of the 2.1
        // flight (stamped delivered 11 at 2.1): 31 − 11 = 20 segments over max(0, 250 000 µs), 116 800 B/s
        // (934400bps): slower, but not app-limited, so it replaces the rate.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 60000)), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.Inject(2.15, TcpFlags.Ack, 1, 14601 + (10 * 1460), window: Window);
        dialogue.Inject(2.35, TcpFlags.Ack, 1, 14601 + (20 * 1460), window: Window);
        var takenShort = InfoAt(dialogue, 2.1501);
        var takenLong = InfoAt(dialogue, 2.3501);
        dialogue.Lab.RunUntil(2.36);
        var afterShort = Assert.Single(takenShort);
        var afterLong = Assert.Single(takenLong);
        Assert.Equal("21", afterShort["delivered"]);
        Assert.Equal("2336000bps", afterShort["delivery_rate"]);
        Assert.False(afterShort.Has("app_limited"), afterShort.Line);
        Assert.Equal("31", afterLong["delivered"]);
        Assert.Equal("934400bps", afterLong["delivery_rate"]);
        Assert.False(afterLong.Has("app_limited"), afterLong.Line);
    }

    [Fact]
    public void The_send_phase_counts_when_it_is_longer_than_the_ack_phase()
    {
        // The ACK at 2.1 covers five of the ten (delivered 6; 5 over 100 000 µs, app-limited). The cwnd then lets
        // more leave at 2.1 while five are still out: tcp_rate_skb_sent copies first_tx_mstamp = 2.0 s (the send time
        // of the segment delivered last) and delivered_mstamp = 2.1 s. The ACK at 2.16 delivers everything sent at 2.0
        // and five of those sent at 2.1: the latest delivered was sent at 2.1, stamped delivered 6, so the send phase
        // is 2.1 − 2.0 = 100 000 µs and the ACK phase 2.16 − 2.1 = 60 000 µs; the interval is the longer, 100 000 µs,
        // and 16 − 6 = 10 segments over it: 146 000 B/s (1168000bps), not app-limited (the bubble of 1 ended at 2.1).
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 60000)), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 1 + (5 * 1460), window: Window);
        dialogue.Inject(2.16, TcpFlags.Ack, 1, 1 + (15 * 1460), window: Window);
        var taken = InfoAt(dialogue, 2.1601);
        dialogue.Lab.RunUntil(2.17);
        var line = Assert.Single(taken);
        Assert.Equal("16", line["delivered"]);
        Assert.Equal("1168000bps", line["delivery_rate"]);
        Assert.False(line.Has("app_limited"), line.Line);
    }

    /// <summary>The server's ss -i line at <paramref name="at"/>, in a list the snapshot fills when the run gets there.</summary>
    private static List<SsInfoFields> InfoAt(Dialogue dialogue, double at)
    {
        var taken = new List<SsInfoFields>();
        dialogue.Lab.At(at, () => taken.Add(new SsInfoFields(SsInfoText.Format(dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established), numericRates: true))));
        return taken;
    }

    private static void Handshake(Dialogue dialogue)
    {
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: Window, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.1, TcpFlags.Ack, 1, 1, window: Window);
    }
}
