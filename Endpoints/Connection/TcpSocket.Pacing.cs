using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// The pacing rate and TCP's internal pacing in the EDT (earliest departure time) model of Linux ≥ 4.20
/// (net/ipv4/tcp_output.c, tcp_input.c, net/core/sock.c). sk_pacing_rate is always kept: tcp_update_pacing_rate sets it
/// after each ACK a congestion control without its own (reno, cubic) processes, and tcp_tso_autosize sizes GSO packets
/// with it. Pacing itself applies only when sk_pacing_status is SK_PACING_NEEDED (tcp_needs_internal_pacing; there is
/// no fq qdisc here to pace instead): SO_MAX_PACING_RATE or a congestion control (<see cref="RequestPacing"/>) asks
/// for it. Then every segment that leaves pushes tcp_wstamp_ns (the earliest time the next may leave) on by its length
/// at the rate, and tcp_write_xmit and tcp_xmit_retransmit_queue stop while it is ahead of the clock, arming the
/// pacing hrtimer (tcp_pacing_check), whose expiry sends again (tcp_pace_kick → tcp_tsq_handler → tcp_tsq_write).
/// There is no TCP small queues here (tcp_small_queue_check): on veth a packet leaves its sender's accounting as soon
/// as it is sent, so TSQ never holds a segment back in the recorded experiments.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>~0UL: sk_pacing_rate and sk_max_pacing_rate as sock_init_data leaves them, no rate at all.</summary>
    internal const long UnlimitedPacingRate = long.MaxValue;

    /// <summary>sch_fq does not pace a flow's first ten segments, nor does TCP's internal pacing (data_segs_out &lt; 10).</summary>
    private const int UnpacedSegments = 10;

    /// <summary>sk_pacing_rate in bytes a second (<see cref="UnlimitedPacingRate"/> until first set).</summary>
    private long _pacingRate = UnlimitedPacingRate;

    /// <summary><see cref="_pacingWstamp"/> of a socket that does not pace (SK_PACING_NONE); a departure time is never negative.</summary>
    private const long NotPacing = long.MinValue;

    // The EDT state of a socket that paces (sk_pacing_status SK_PACING_NEEDED), in the socket as in Linux's tcp_sock
    // (16 bytes, where an object made at the request took 32 and a reference 8).

    /// <summary>tp->tcp_wstamp_ns: the departure time of the last segment sent, pushed on by pacing; <see cref="NotPacing"/> until pacing is requested.</summary>
    private long _pacingWstamp = NotPacing;

    /// <summary>
    /// tp->data_segs_out as pacing counts it: data segments sent, retransmissions included (when pacing is requested
    /// mid-connection, the segments the socket sent so far, FINs alone included).
    /// </summary>
    private uint _pacingDataSegmentsOut;

    /// <summary>TCP_TSQ_DEFERRED: the pacing timer fired while a send() owned the socket.</summary>
    private bool _pacingWriteDeferred { get => Has(SocketFlags.PacingWriteDeferred); set => Set(SocketFlags.PacingWriteDeferred, value); }

    /// <summary>
    /// sk_pacing_rate as read: the rate last set, never above SO_MAX_PACING_RATE (sock_setsockopt lowers it at once to
    /// a smaller maximum; a larger one leaves it as it is until the next update, which this minimum also gives).
    /// </summary>
    private long PacingRate => Math.Min(_pacingRate, MaxPacingRate);

    /// <summary>sk_max_pacing_rate: SO_MAX_PACING_RATE, else unlimited.</summary>
    private long MaxPacingRate => _options.MaxPacingRate ?? UnlimitedPacingRate;

    /// <summary>tcp_needs_internal_pacing: sk_pacing_status is SK_PACING_NEEDED.</summary>
    internal bool PacingRequested => _pacingWstamp != NotPacing;

    /// <summary>
    /// sk_pacing_status from SK_PACING_NONE to SK_PACING_NEEDED (the cmpxchg of SO_MAX_PACING_RATE, and what BBR's
    /// init does): from now on the socket paces itself. It never goes back.
    /// </summary>
    internal void RequestPacing()
    {
        if (!PacingRequested)
        {
            _pacingWstamp = _lastDataSentAt == Never ? 0 : _lastDataSentAt;
            _pacingDataSegmentsOut = _sendOrder;
        }
    }

    /// <summary>
    /// What a congestion control with its own pacing (BBR's bbr_set_pacing_rate) writes to sk_pacing_rate, in bytes a
    /// second; SO_MAX_PACING_RATE still caps what is read.
    /// </summary>
    internal void SetPacingRate(long bytesPerSecond) => _pacingRate = Math.Max(0, bytesPerSecond);

    /// <summary>
    /// SO_MAX_PACING_RATE as sock_setsockopt applies it: a rate (anything but ~0) turns pacing on; the rate in force
    /// drops to the new maximum if that is lower (<see cref="PacingRate"/>).
    /// </summary>
    private void ApplyMaxPacingRate()
    {
        if (_options.MaxPacingRate is not null)
        {
            RequestPacing();
        }
    }

    /// <summary>tcp_get_info: a rate as tcp_info reports it, null for ~0 (none).</summary>
    private static long? RateForTcpInfo(long rate) => rate == UnlimitedPacingRate ? null : rate;

    /// <summary>
    /// tcp_update_pacing_rate: mss × max(cwnd, packets_out) / srtt, times tcp_pacing_ss_ratio % while cwnd is below
    /// half ssthresh (slow start) and tcp_pacing_ca_ratio % otherwise, in u64 as Linux computes it (srtt in 1/8 µs,
    /// hence the 8 × 10^6 / 100 factor; not divided before the first RTT sample), capped by sk_max_pacing_rate.
    /// </summary>
    private void UpdatePacingRate()
    {
        var sysctls = _stack.Sysctls;
        ulong rate = (ulong)_mssCache * ((1_000_000UL / 100) << 3);
        rate *= (ulong)(_cwnd < _ssthresh / 2 ? sysctls.TcpPacingSsRatio : sysctls.TcpPacingCaRatio);
        rate *= (ulong)Math.Max(_cwnd, PacketsOut);
        long srtt8 = _rtt.SmoothedMicros8;
        if (srtt8 != 0)
        {
            rate /= (ulong)srtt8;
        }

        _pacingRate = (long)Math.Min(rate, (ulong)MaxPacingRate);
    }

    /// <summary>
    /// __tcp_transmit_skb and tcp_update_skb_after_send for a pacing socket: tcp_wstamp_ns moves up to the clock for
    /// every segment; a data segment counts in data_segs_out (its GSO segments) and, once ten have gone out, moves it on
    /// by len × 10^9 / rate, less what the socket left unused before it (the credit, at most half of that).
    /// </summary>
    private void PacingSegmentSent(Segment segment, SendStatus status)
    {
        if (!PacingRequested)
        {
            return;
        }

        long prior = _pacingWstamp;
        _pacingWstamp = Math.Max(prior, _stack.NowNanoseconds);
        int length = segment.PayloadLength;
        if (length == 0)
        {
            return;
        }

        _pacingDataSegmentsOut += (uint)segment.GsoSegs;
        long rate = PacingRate;
        if (status != SendStatus.Sent || rate is UnlimitedPacingRate or <= 0 || _pacingDataSegmentsOut < UnpacedSegments)
        {
            return;
        }

        long lengthNs = length * 1_000_000_000L / rate;
        long credit = _pacingWstamp - prior;
        _pacingWstamp += lengthNs - Math.Min(lengthNs / 2, credit);
    }

    /// <summary>
    /// tcp_pacing_check: while a pacing socket's tcp_wstamp_ns is ahead of the clock nothing may leave; the pacing
    /// timer is armed for that time unless it already is.
    /// </summary>
    private bool PacingHolds()
    {
        if (!PacingRequested || _pacingWstamp <= _stack.NowNanoseconds)
        {
            return false;
        }

        if (!IsTimerActive(TimerExpired.Pacing))
        {
            StartSingleTimer(TimerExpired.Pacing, TimerExpired.Pacing, new Duration(_pacingWstamp - _stack.NowNanoseconds));
        }

        return true;
    }

    /// <summary>
    /// tcp_pace_kick → tcp_tsq_handler: sends what pacing held (<see cref="PacedWrite"/>), or, while a send() owns
    /// the socket, marks it for when the write lets go (TCP_TSQ_DEFERRED, run by tcp_release_cb).
    /// </summary>
    private void OnPacingTimer()
    {
        if (_ownedByWriter && PacingRequested)
        {
            _pacingWriteDeferred = true;
            return;
        }

        PacedWrite();
    }

    /// <summary>tcp_release_cb's deferred tcp_tsq_write_on: the pacing timer fired while a send() owned the socket.</summary>
    private void RunDeferredPacedWrite()
    {
        if (_pacingWriteDeferred)
        {
            _pacingWriteDeferred = false;
            PacedWrite();
        }
    }

    /// <summary>
    /// tcp_tsq_write: in a state that sends, retransmit what is marked lost if the window has room
    /// (lost_out &gt; retrans_out), then tcp_write_xmit with the socket's Nagle setting.
    /// </summary>
    private void PacedWrite()
    {
        if (_state is not (TcpState.Established or TcpState.FinWait1 or TcpState.Closing or TcpState.CloseWait or TcpState.LastAck))
        {
            return;
        }

        if (_loss is { } loss && loss.LostOut > loss.RetransOut && _cwnd > PacketsInFlight)
        {
            RetransmitLostSegments();
        }

        PushPendingData();
    }

}
