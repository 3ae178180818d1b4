using System.Globalization;
using System.Text;
using TcpActors.Endpoints;

namespace TcpActors.Telemetry;

/// <summary>
/// The line <c>ss -i</c> prints under a TCP socket: iproute2 6.1's tcp_show_info turns struct tcp_info into its
/// tcpstat and tcp_stats_print writes a tab, then each field after a space, in this order, each only when ss prints
/// it (most only when non-zero): ts sack, the congestion control, wscale, rto (not the 3 s of a socket without an
/// RTT), backoff, rtt, ato, mss, pmtu, rcvmss, advmss, cwnd, ssthresh (below 0xFFFF), bytes_sent, bytes_retrans,
/// bytes_acked, bytes_received, segs_out, segs_in, data_segs_out, data_segs_in, send (cwnd × mss × 8 / srtt),
/// lastsnd, lastrcv, lastack, pacing_rate[/max], delivery_rate, delivered, app_limited, busy, unacked, retrans,
/// lost, sacked, dsack_dups, reordering (when not 3), reord_seen, rcv_rtt, rcv_space, rcv_ssthresh, notsent,
/// minrtt, snd_wnd. Times in ms print with %g. BBR's <c>bbr:(bw:…bps,mrtt:…,pacing_gain:…,cwnd_gain:…)</c> comes
/// after data_segs_in (the gains only when non-zero, as tcp_bbr_info's are before BBR processed an ACK).
/// </summary>
public static class SsInfoText
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    /// <summary>The info line, or "" for a socket that has none (a TIME-WAIT socket: inet_diag sends no tcp_info for it).</summary>
    public static string Format(SocketSnapshot socket, bool numericRates)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.Info is not { } info)
        {
            return "";
        }

        var text = new StringBuilder("\t");
        Flag(text, info.Timestamps, " ts");
        Flag(text, info.Sack, " sack");
        Flag(text, info.CongestionControl.Length > 0, " " + info.CongestionControl);
        Flag(text, info.WindowScale, string.Create(s_culture, $" wscale:{info.SendWindowScale},{info.ReceiveWindowScale}"));
        Flag(text, info.RtoMicros != 0 && info.RtoMicros != 3_000_000, " rto:" + Millis(info.RtoMicros));
        Field(text, " backoff:", info.Backoff);
        Flag(text, info.RttMicros != 0, " rtt:" + Millis(info.RttMicros) + "/" + Millis(info.RttVarMicros));
        Flag(text, info.AtoMicros != 0, " ato:" + Millis(info.AtoMicros));
        Field(text, " mss:", info.SendMss);
        Field(text, " pmtu:", info.PathMtu);
        Field(text, " rcvmss:", info.ReceiveMss);
        Field(text, " advmss:", info.AdvertisedMss);
        Field(text, " cwnd:", info.CongestionWindow);
        Field(text, " ssthresh:", info.SlowStartThreshold < 0xFFFF ? info.SlowStartThreshold : 0);
        AppendCounters(text, info);
        text.Append(BbrBlock(info, numericRates));
        double send = info.RttMicros > 0 && info.SendMss != 0 && info.CongestionWindow != 0 ? (double)info.CongestionWindow * info.SendMss * 8_000_000.0 / info.RttMicros : 0;
        Flag(text, send != 0, " send " + SsRateText.Format(send, numericRates) + "bps");
        Field(text, " lastsnd:", info.LastDataSentMillis);
        Field(text, " lastrcv:", info.LastDataReceivedMillis);
        Field(text, " lastack:", info.LastAckReceivedMillis);
        text.Append(PacingRate(socket, numericRates));
        Flag(text, info.DeliveryRate != 0, " delivery_rate " + SsRateText.Format(info.DeliveryRate * 8.0, numericRates) + "bps");
        Field(text, " delivered:", info.Delivered);
        Flag(text, info.AppLimited, " app_limited");
        Flag(text, info.BusyMicros != 0, Number(" busy:", info.BusyMicros / 1000) + "ms");
        AppendLossFields(text, info, socket.State);
        Flag(text, info.ReceiveRttMicros != 0, " rcv_rtt:" + Millis(info.ReceiveRttMicros));
        Field(text, " rcv_space:", info.ReceiveSpace);
        Field(text, " rcv_ssthresh:", info.ReceiveSlowStartThreshold);
        Field(text, " notsent:", info.NotSent);
        Flag(text, info.MinRttMicros is > 0, " minrtt:" + Millis(info.MinRttMicros ?? 0));
        Field(text, " snd_wnd:", info.SendWindow);
        return text.ToString();
    }

    /// <summary><c> pacing_rate 8Mbps/8Mbps</c>: tcpi_pacing_rate and, if set, tcpi_max_pacing_rate, in bits a second; empty without a rate.</summary>
    public static string PacingRate(SocketSnapshot socket, bool numericRates)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.PacingRate is not { } rate || rate == 0)
        {
            return "";
        }

        string text = " pacing_rate " + SsRateText.Format(rate * 8.0, numericRates) + "bps";
        return socket.MaxPacingRate is { } max and not 0 ? text + "/" + SsRateText.Format(max * 8.0, numericRates) + "bps" : text;
    }

    /// <summary>
    /// <c> bbr:(bw:…bps,mrtt:…,pacing_gain:…,cwnd_gain:…)</c> as iproute2 prints tcp_bbr_info: bw in bits a second,
    /// min_rtt in ms with %g, the gains (in 1/256) with %g when non-zero; empty for an algorithm without it.
    /// </summary>
    public static string BbrBlock(TcpInfo info, bool numericRates)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Bbr is not { } bbr)
        {
            return "";
        }

        var text = new StringBuilder(" bbr:(bw:");
        text.Append(SsRateText.Format(bbr.BandwidthBytesPerSecond * 8.0, numericRates)).Append("bps,mrtt:");
        text.Append(SsRateText.General(bbr.MinRttMicros / 1000.0));
        Flag(text, bbr.PacingGain != 0, ",pacing_gain:" + SsRateText.General(bbr.PacingGain / 256.0));
        Flag(text, bbr.CwndGain != 0, ",cwnd_gain:" + SsRateText.General(bbr.CwndGain / 256.0));
        return text.Append(')').ToString();
    }

    /// <summary>The byte and segment counters, bytes_sent to data_segs_in.</summary>
    private static void AppendCounters(StringBuilder text, TcpInfo info)
    {
        Field(text, " bytes_sent:", (long)info.BytesSent);
        Field(text, " bytes_retrans:", (long)info.BytesRetransmitted);
        Field(text, " bytes_acked:", (long)info.BytesAcked);
        Field(text, " bytes_received:", (long)info.BytesReceived);
        Field(text, " segs_out:", info.SegmentsOut);
        Field(text, " segs_in:", info.SegmentsIn);
        Field(text, " data_segs_out:", info.DataSegmentsOut);
        Field(text, " data_segs_in:", info.DataSegmentsIn);
    }

    /// <summary>unacked to reord_seen; a listener's sacked (its backlog) is not printed.</summary>
    private static void AppendLossFields(StringBuilder text, TcpInfo info, TcpState state)
    {
        Field(text, " unacked:", info.Unacked);
        Flag(text, info.Retransmissions != 0 || info.TotalRetransmissions != 0, string.Create(s_culture, $" retrans:{info.Retransmissions}/{info.TotalRetransmissions}"));
        Field(text, " lost:", info.Lost);
        Field(text, " sacked:", state == TcpState.Listen ? 0 : info.Sacked);
        Field(text, " dsack_dups:", info.DsackDuplicates);
        Flag(text, info.Reordering != 3, Number(" reordering:", info.Reordering));
        Field(text, " reord_seen:", info.ReorderSeen);
    }

    private static void Field(StringBuilder text, string name, long value) => Flag(text, value != 0, Number(name, value));

    private static void Flag(StringBuilder text, bool present, string field)
    {
        if (present)
        {
            text.Append(field);
        }
    }

    private static string Number(string name, long value) => name + value.ToString(s_culture);

    /// <summary>Microseconds as ss prints milliseconds: <c>%g</c> of µs / 1000.</summary>
    private static string Millis(long micros) => SsRateText.General(micros / 1000.0);
}
