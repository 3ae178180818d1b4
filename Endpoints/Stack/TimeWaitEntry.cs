using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>The two substates a timewait socket can be in (Linux's tw_substate).</summary>
internal enum TimeWaitSubstate : byte
{
    /// <summary>An orphaned FIN_WAIT2 waiting up to tcp_fin_timeout for the peer's FIN.</summary>
    FinWait2,

    /// <summary>The true TIME_WAIT: 60 s (TCP_TIMEWAIT_LEN), restarted by some segments.</summary>
    TimeWait,
}

/// <summary>
/// A timewait socket: what is left of a connection once it needs no buffers, only enough to answer
/// late segments (Linux's <c>tcp_timewait_sock</c>). Held by value in the host's table so that a million
/// of them fit in memory; the 4-tuple is the table key.
/// </summary>
internal struct TimeWaitEntry
{
    public TimeWaitSubstate Substate;

    /// <summary>Whether the socket it came from had SO_REUSEADDR (bind conflicts look at it).</summary>
    public bool ReuseAddress;

    /// <summary>Whether timestamps were in use (ts_recent_stamp ≠ 0 is Linux's test).</summary>
    public bool HasTimestamps;

    // The window shift (0-14) in the low four bits, the AckedRcvNxt flag in the top bit: one byte, as Linux
    // packs tw_rcv_wscale into a bit field, so that the entry stays 56 bytes (docs/PERFORMANCE.md).
    private byte _scaleAndFlags;

    /// <summary>The receive window shift, to turn <see cref="ReceiveWindow"/> into the window field.</summary>
    public byte ReceiveWindowScale
    {
        readonly get => (byte)(_scaleAndFlags & ScaleMask);
        set => _scaleAndFlags = (byte)((_scaleAndFlags & ~ScaleMask) | (value & ScaleMask));
    }

    /// <summary>
    /// The last ACK the connection sent carried <see cref="RcvNxt"/> and <see cref="WindowField"/>: the next
    /// ACK that repeats them answers a segment that advanced nothing, a duplicate ACK. False when the socket
    /// became a timewait with an ACK still owed.
    /// </summary>
    public bool AckedRcvNxt
    {
        readonly get => (_scaleAndFlags & AckedFlag) != 0;
        set => _scaleAndFlags = (byte)(value ? _scaleAndFlags | AckedFlag : _scaleAndFlags & ~AckedFlag);
    }

    /// <summary>R: the next sequence number expected from the peer (after its FIN in TIME_WAIT).</summary>
    public SeqNum RcvNxt;

    /// <summary>Our next sequence number (the ACKs we send carry it).</summary>
    public SeqNum SndNxt;

    /// <summary>Bytes of receive window left when the socket became a timewait (tcp_receive_window).</summary>
    public uint ReceiveWindow;

    /// <summary>The last timestamp value received from the peer.</summary>
    public uint TsRecent;

    /// <summary>Our timestamp offset (TSval = clock in ms + offset).</summary>
    public uint TsOffset;

    /// <summary>When <see cref="TsRecent"/> was recorded (ns of virtual time).</summary>
    public long TsRecentStampNanoseconds;

    /// <summary>When the socket became a timewait (tw_entry_stamp, for tcp_tw_reuse_delay).</summary>
    public long EnteredNanoseconds;

    /// <summary>When the timer fires.</summary>
    public long DeadlineNanoseconds;

    /// <summary>When the last rate-limited ACK went out (0: never), for tcp_invalid_ratelimit.</summary>
    public long LastOutOfWindowAckNanoseconds;

    private const int ScaleMask = 0x0F;
    private const int AckedFlag = 0x80;

    /// <summary>The window field its ACKs carry: the remaining window, shifted (truncating, as Linux does).</summary>
    public readonly ushort WindowField => (ushort)Math.Min(ReceiveWindow >> ReceiveWindowScale, ushort.MaxValue);
}
