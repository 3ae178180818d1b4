namespace TcpActors.Reliability.Tests;

/// <summary>
/// TCP bugs these tests found, each reproduced by a skipped test in <see cref="KnownTcpBugTests"/> whose
/// skip reason is the text here. Until TCP is fixed, the generators steer around them so the property
/// tests keep watching everything else; run with TCPACTORS_KNOWN_BUGS=expose to stop steering (and see
/// whether a fix holds under chaos).
/// </summary>
public static class KnownTcpBugs
{
    public const string RtoRecoveryOneSegmentPerTimeout =
        "TCP bug: after an RTO, segments tcp_enter_loss marked lost are never retransmitted on the ACKs that follow " +
        "(no tcp_xmit_retransmit_queue; fast recovery also repairs only the first hole): every further hole waits for " +
        "its own backed-off RTO, so a 0.6 s partition during a 64 kB send takes over 30 minutes to repair instead of a few round trips";

    public const string SmallReceiveBufferDropsInOrderData =
        "TCP bug: with a small SO_RCVBUF (e.g. 1071, doubled to 2142) every in-order segment is dropped as 'receive buffer full' " +
        "even with an empty receive queue while the window offered is 2048: Linux floors SO_RCVBUF at SOCK_MIN_RCVBUF (2304) and " +
        "tcp_data_queue force-charges memory (sk_forced_mem_schedule) when the receive queue is empty, so the connection can never stall like this";

    public const string ReceiveMemoryStall =
        "TCP bug: when a slow reader lets the receive buffer fill, the receiver refuses in-window, in-order segments ('receive buffer full') " +
        "while it still offers a window and keeps out-of-order data: the 856-byte per-segment charge is not reflected in the window, and nothing " +
        "makes room as Linux's tcp_prune_queue does (tcp_collapse of the queue, tcp_prune_ofo_queue dropping out-of-order data for the in-order " +
        "segment); meanwhile the sender's loss probe goes past the offered window (tcp_send_loss_probe requires tcp_snd_wnd_test) and its " +
        "retransmissions are not trimmed to the window (__tcp_retransmit_skb trims to avail_wnd). The transfer stalls until the sender gives up: " +
        "an orphaned sender dies silently and the reader waits forever (95058 bytes, default buffers, 16 bytes read every 208 ms: 8178 never arrive)";

    public const string LocallyDroppedFinNeverRetried =
        "TCP bug: a FIN refused by the sender's own OUTPUT chain is never sent again: OnProbeTimer returns when _writeSeq == _sndNxt, " +
        "ignoring a queued, unsent FIN (Linux's tcp_send_probe0/tcp_write_wakeup send it), so the socket stays in LAST-ACK or FIN-WAIT-1 " +
        "forever, holds its port, and the peer never sees end of stream";

    public const string LocallyRefusedRetransmissionKillsConnection =
        "TCP bug: when a retransmission is refused by the sender's own OUTPUT chain, retrans_stamp stays unset and the next timeout " +
        "measures the give-up budget from boot, so the connection dies at once with ETIMEDOUT (silently for an orphan, whose peer then " +
        "waits forever); Linux 6.x tcp_retransmit_skb stamps the first *attempted* retransmission ('Save stamp of the first (attempted) retransmit')";

    public const string SackBlocksPushSegmentsOverTheMtu =
        "TCP bug: a full-sized data segment that also carries SACK blocks is bigger than the MTU (1460 bytes of data without " +
        "timestamps, or 1448 with, plus a 12-byte SACK block: 1512 bytes), and the sender's own link drops it (MtuExceeded, DF set) " +
        "every time it is retransmitted, so a direction whose peer holds out-of-order data stalls until the sender gives up; Linux sizes " +
        "segments with tcp_current_mss, which subtracts the options in use (tcp_established_options, SACK blocks included), and " +
        "tcp_retransmit_skb fragments a retransmission to it";

    /// <summary>Whether the generators avoid the known bugs (the default), or expose them (TCPACTORS_KNOWN_BUGS=expose).</summary>
    public static bool SteerAround { get; } = !string.Equals(Environment.GetEnvironmentVariable("TCPACTORS_KNOWN_BUGS"), "expose", StringComparison.OrdinalIgnoreCase);
}
