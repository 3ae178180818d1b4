using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Generic segmentation offload as TCP uses it (net/ipv4/tcp.c, tcp_output.c): with a device that takes GSO packets
/// (veth and lo by default: gso_max_size 65536, gso_max_segs 65535) a write's sk_buffs grow to a multiple of the MSS
/// (tcp_xmit_size_goal) and tcp_write_xmit sends each as one GSO packet of up to half the congestion window
/// (tcp_cwnd_test), tcp_tso_segs segments and the window (tcp_mss_split_point), cut there by tso_fragment. On the
/// wire (and in a capture on the sending veth) such a packet is one segment; the retransmission queue keeps it as
/// MSS-sized pieces, which is what Linux counts (tcp_skb_pcount) and splits when SACKs or losses cover part of it.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>net.ipv4.tcp_min_tso_segs (default 2): the fewest segments tcp_tso_autosize allows a GSO packet.</summary>
    private const int MinTsoSegs = 2;

    /// <summary>net.ipv4.tcp_tso_rtt_log (default 9): gso_max_size is added to the pacing budget, halved per 2^9 µs of min_rtt.</summary>
    private const int TsoRttLog = 9;

    /// <summary>sk_pacing_shift (10): a GSO packet holds about 1 ms (2^-10 s) of the pacing rate.</summary>
    internal const int PacingShift = 10;

    /// <summary>sk_gso_max_size and sk_gso_max_segs (sk_setup_caps from the route's device, once known); null: not yet looked up.</summary>
    private (int MaxSize, int MaxSegs)? _gsoCaps
    {
        get => _gsoMaxSegs == 0 ? null : (_gsoMaxSize, _gsoMaxSegs);
        set => (_gsoMaxSize, _gsoMaxSegs) = value is { } caps ? (caps.MaxSize, caps.MaxSegs > 0 ? caps.MaxSegs : throw new ArgumentOutOfRangeException(nameof(value), caps.MaxSegs, "sk_gso_max_segs is at least 1")) : (0, 0);
    }

    // _gsoCaps unwrapped: sk_gso_max_segs is at least 1 once looked up, so 0 says "not yet" (a nullable pair would
    // take 16 bytes).
    private int _gsoMaxSize;
    private int _gsoMaxSegs;

    /// <summary>tp->gso_segs: the segments per sk_buff tcp_xmit_size_goal last settled on.</summary>
    private int _gsoSegs;

    /// <summary>
    /// sk_setup_caps: the device of the route to the peer (lo for a local address) gives sk_gso_max_size (its
    /// gso_max_size less MAX_TCP_HEADER + 1, 65279 on veth with this kernel's 256) and sk_gso_max_segs; GSO is off (1 segment) when it has gso_max_segs 1.
    /// </summary>
    private (int MaxSize, int MaxSegs) GsoCaps
    {
        get
        {
            if (_gsoCaps is { } caps)
            {
                return caps;
            }

            var host = _stack.Host;
            var device = host.IsLocalAddress(_tuple.RemoteAddress) ? host.Loopback : host.Routes.Lookup(_tuple.RemoteAddress)?.Interface;
            caps = device is null ? (0, 1) : (Math.Max(0, device.GsoMaxSize - (MaxTcpHeader + 1)), Math.Max(1, device.GsoMaxSegs));
            _gsoCaps = caps;
            return caps;
        }
    }

    private bool GsoEnabled => GsoCaps.MaxSegs > 1;

    /// <summary>
    /// tcp_xmit_size_goal: without GSO the MSS; with it the largest multiple of the MSS within sk_gso_max_size
    /// bounded to half the peer's largest window (tcp_bound_to_half_wnd) and sk_gso_max_segs, never below one MSS.
    /// </summary>
    private int XmitSizeGoal(int mssNow)
    {
        var caps = GsoCaps;
        if (caps.MaxSegs <= 1)
        {
            return mssNow;
        }

        int newSizeGoal = BoundToHalfWindow(caps.MaxSize);
        long sizeGoal = (long)_gsoSegs * mssNow;
        if (newSizeGoal < sizeGoal || newSizeGoal >= sizeGoal + mssNow)
        {
            _gsoSegs = Math.Min(newSizeGoal / mssNow, caps.MaxSegs);
            sizeGoal = (long)_gsoSegs * mssNow;
        }

        return (int)Math.Max(sizeGoal, mssNow);
    }

    /// <summary>tcp_bound_to_half_wnd: at most half the largest window the peer offered (all of it below 536 bytes).</summary>
    private int BoundToHalfWindow(int packetSize)
    {
        long cutoff = _maxWindow > 536 ? _maxWindow >> 1 : _maxWindow;
        return cutoff > 0 && packetSize > cutoff ? (int)Math.Max(cutoff, 68 - (_tsOk ? 32 : 20)) : packetSize;
    }

    /// <summary>
    /// tcp_tso_segs: the segments one GSO packet may carry, tcp_tso_autosize's budget — about 1 ms of the pacing rate
    /// (sk_pacing_rate &gt;&gt; sk_pacing_shift) plus gso_max_size &gt;&gt; (min_rtt in µs &gt;&gt; tcp_tso_rtt_log), at most
    /// gso_max_size, at least tcp_min_tso_segs (or the algorithm's min_tso_segs) — within sk_gso_max_segs. On a path whose min_rtt is under 512 µs
    /// (veth, the labs' instant links) the second term alone is gso_max_size, whatever the pacing rate.
    /// </summary>
    private int TsoSegs(int mssNow)
    {
        var caps = GsoCaps;
        if (caps.MaxSegs <= 1)
        {
            return 1;
        }

        long bytes = PacingRate >> PacingShift;
        long minRttMicros = _rtt.MinRtt == long.MaxValue ? uint.MaxValue : _rtt.MinRtt / 1000;
        long shift = minRttMicros >> TsoRttLog;
        if (shift < 32)
        {
            bytes += caps.MaxSize >> (int)shift;
        }

        bytes = Math.Min(bytes, caps.MaxSize);
        int segs = (int)Math.Max(bytes / mssNow, CaOps.MinTsoSegs(this) ?? MinTsoSegs);
        return Math.Min(segs, caps.MaxSegs);
    }

    /// <summary>
    /// tcp_cwnd_test: the segments the congestion window lets this GSO packet carry — none when it is full, else at
    /// most half of it ("ensure at least 2 GSO packets in flight") and what is left of it.
    /// </summary>
    private int CwndQuota(int inFlight) => inFlight >= _cwnd ? 0 : Math.Min(Math.Max(_cwnd >> 1, 1), _cwnd - inFlight);

    /// <summary>
    /// tcp_mss_split_point: how much of an sk_buff of <paramref name="skbLength"/> bytes at snd_nxt one GSO packet
    /// takes — <paramref name="maxSegs"/> MSS when that fits the window and more of the sk_buff follows or it is
    /// not the queue's tail, else what the window allows, less a short last part Nagle would hold back.
    /// </summary>
    private int MssSplitPoint(int skbLength, bool isTail, int mssNow, int maxSegs, bool nagleOff)
    {
        long window = (_sndUna + (int)_sndWnd) - _sndNxt;
        long maxLength = (long)mssNow * maxSegs;
        if (maxLength <= window && !isTail)
        {
            return (int)maxLength;
        }

        long needed = Math.Min(skbLength, window);
        if (maxLength <= needed)
        {
            return (int)maxLength;
        }

        long partial = needed % mssNow;
        if (partial != 0 && !nagleOff && NagleHolds())
        {
            return (int)(needed - partial);
        }

        return (int)needed;
    }
}
