using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// ss -i's info line (iproute2 6.1's tcp_show_info and tcp_stats_print) from tcp_info values, compared byte for byte
/// with lines the kernel recordings hold (tests/reference/kernel), the values put in as the kernel's tcp_get_info had
/// them (µs, ms ages, bytes a second).
/// </summary>
public sealed class SsInfoTextTests
{
    private static readonly SocketAddress s_client = new(IPv4Address.Parse("10.0.1.2"), 40000);
    private static readonly SocketAddress s_server = new(IPv4Address.Parse("10.0.2.2"), 8080);

    [Fact]
    public void A_reno_connection_after_a_retransmission_prints_every_field_in_order()
    {
        // 31-delayed-path.txt, t=5.500: retrans:0/1 (none out, one ever), bytes_retrans, busy in ms, send from cwnd,
        // mss and srtt (10 × 1448 × 8 × 10⁶ / 103779 µs, %.0f), minrtt:100 (%g drops the zeros), no app_limited.
        var info = Reno() with
        {
            RtoMicros = 308_000, RttMicros = 103_779, RttVarMicros = 10_096, BytesSent = 20300, BytesRetransmitted = 100, BytesAcked = 20201,
            BytesReceived = 150, SegmentsOut = 22, SegmentsIn = 12, DataSegmentsOut = 17, DataSegmentsIn = 3, LastDataSentMillis = 172,
            LastDataReceivedMillis = 72, LastAckReceivedMillis = 72, PacingRate = 279_054, DeliveryRate = 172_283, Delivered = 17,
            BusyMicros = 736_000, TotalRetransmissions = 1, MinRttMicros = 100_000, SendWindow = 80896,
        };
        Assert.Equal(
            "\t ts sack reno wscale:10,10 rto:308 rtt:103.779/10.096 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:10 bytes_sent:20300"
            + " bytes_retrans:100 bytes_acked:20201 bytes_received:150 segs_out:22 segs_in:12 data_segs_out:17 data_segs_in:3 send 1116218bps"
            + " lastsnd:172 lastrcv:72 lastack:72 pacing_rate 2232432bps delivery_rate 1378264bps delivered:17 busy:736ms retrans:0/1"
            + " rcv_space:14480 rcv_ssthresh:64088 minrtt:100 snd_wnd:80896",
            SsInfoText.Format(Connection(info), numericRates: true));
    }

    [Fact]
    public void An_app_limited_sender_with_data_in_flight_and_unsent_prints_unacked_and_notsent()
    {
        // 31-delayed-path.txt, t=4.050: app_limited, unacked:10 (packets_out), notsent:5520 (write_seq − snd_nxt).
        var info = Reno() with
        {
            RtoMicros = 304_000, RttMicros = 100_882, RttVarMicros = 37_891, BytesSent = 14580, BytesAcked = 101, BytesReceived = 50,
            SegmentsOut = 14, SegmentsIn = 3, DataSegmentsOut = 11, DataSegmentsIn = 1, LastDataSentMillis = 48, LastDataReceivedMillis = 948,
            LastAckReceivedMillis = 948, PacingRate = 287_066, DeliveryRate = 14_378, Delivered = 2, AppLimited = true, BusyMicros = 148_000,
            Unacked = 10, NotSent = 5520, MinRttMicros = 100_705, SendWindow = 65536,
        };
        Assert.Equal(
            "\t ts sack reno wscale:10,10 rto:304 rtt:100.882/37.891 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:10 bytes_sent:14580"
            + " bytes_acked:101 bytes_received:50 segs_out:14 segs_in:3 data_segs_out:11 data_segs_in:1 send 1148272bps lastsnd:48 lastrcv:948"
            + " lastack:948 pacing_rate 2296528bps delivery_rate 115024bps delivered:2 app_limited busy:148ms unacked:10 rcv_space:14480"
            + " rcv_ssthresh:64088 notsent:5520 minrtt:100.705 snd_wnd:65536",
            SsInfoText.Format(Connection(info), numericRates: true));
    }

    [Fact]
    public void A_socket_in_rto_backoff_prints_backoff_lost_and_retrans_and_a_finite_ssthresh()
    {
        // 22-accept-queue-overflow-abort.txt's c3 (without the bbr:(…) block, which is not modelled): backoff:3 after
        // rto, lost:1, retrans:1/4; and a finite ssthresh (below 0xFFFF) after cwnd, as a reno socket shows it.
        var info = new TcpInfo
        {
            CongestionControl = "bbr", Timestamps = true, Sack = true, WindowScale = true, SendWindowScale = 10, ReceiveWindowScale = 10,
            RtoMicros = 1_632_000, Backoff = 3, RttMicros = 54, RttVarMicros = 27, SendMss = 1448, ReceiveMss = 536, PathMtu = 1500,
            AdvertisedMss = 1448, CongestionWindow = 1, SlowStartThreshold = 5, BytesSent = 50, BytesRetransmitted = 40, BytesAcked = 1,
            SegmentsOut = 9, SegmentsIn = 3, DataSegmentsOut = 5, LastDataSentMillis = 568, LastDataReceivedMillis = 6252,
            LastAckReceivedMillis = 6252, PacingRate = 766_327_394, Delivered = 1, AppLimited = true, BusyMicros = 2_252_000, Unacked = 1,
            Retransmissions = 1, TotalRetransmissions = 4, Lost = 1, ReceiveSpace = 14480, ReceiveSlowStartThreshold = 64088, MinRttMicros = 54,
            SendWindow = 65160,
        };
        Assert.Equal(
            "\t ts sack bbr wscale:10,10 rto:1632 backoff:3 rtt:0.054/0.027 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:1 ssthresh:5 bytes_sent:50"
            + " bytes_retrans:40 bytes_acked:1 segs_out:9 segs_in:3 data_segs_out:5 send 214518519bps lastsnd:568 lastrcv:6252 lastack:6252"
            + " pacing_rate 6130619152bps delivered:1 app_limited busy:2252ms unacked:1 retrans:1/4 lost:1 rcv_space:14480 rcv_ssthresh:64088"
            + " minrtt:0.054 snd_wnd:65160",
            SsInfoText.Format(Connection(info), numericRates: true));
    }

    [Fact]
    public void A_listener_prints_its_congestion_control_and_window_and_a_socket_without_tcp_info_nothing()
    {
        // 01-lifecycle-routed.txt's listener: "bbr cwnd:10" (tcp_get_info stops there for a listener; reordering 3 is
        // not printed). A TIME-WAIT socket has no tcp_info: no line at all. Without -n, rates are sprint_bw's 3 digits.
        var listener = new SocketSnapshot("s", TcpState.Listen, 0, 8, s_server, new SocketAddress(IPv4Address.Any, 0), null, IsWildcardPeer: true,
            Info: new TcpInfo { CongestionControl = "bbr", CongestionWindow = 10 });
        Assert.Equal("\t bbr cwnd:10", SsInfoText.Format(listener, numericRates: true));
        Assert.Equal("", SsInfoText.Format(new SocketSnapshot("c", TcpState.TimeWait, 0, 0, s_client, s_server, null), numericRates: true));
        var reordered = new SocketSnapshot("s", TcpState.Established, 0, 0, s_server, s_client, null, Info: new TcpInfo { CongestionControl = "cubic", Reordering = 5, ReorderSeen = 2, DsackDuplicates = 1, Sacked = 2, DeliveryRate = 172_283 });
        Assert.Equal("\t cubic delivery_rate 1.38Mbps sacked:2 dsack_dups:1 reordering:5 reord_seen:2", SsInfoText.Format(reordered, numericRates: false));
    }

    private static TcpInfo Reno() => new()
    {
        CongestionControl = "reno", Timestamps = true, Sack = true, WindowScale = true, SendWindowScale = 10, ReceiveWindowScale = 10,
        AtoMicros = 40_000, SendMss = 1448, ReceiveMss = 536, PathMtu = 1500, AdvertisedMss = 1448, CongestionWindow = 10,
        ReceiveSpace = 14480, ReceiveSlowStartThreshold = 64088,
    };

    /// <summary>The established client socket carrying <paramref name="info"/> (its pacing rates as the snapshot's own fields, as ss reads them).</summary>
    private static SocketSnapshot Connection(TcpInfo info) =>
        new("c", TcpState.Established, 0, 0, s_client, s_server, null, PacingRate: info.PacingRate, MaxPacingRate: info.MaxPacingRate, Info: info);
}
