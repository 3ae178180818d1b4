using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The transmission control block: RFC 9293's variables under their RFC names, plus Linux's.</summary>
internal sealed partial class TcpSocket
{
    /// <summary>A time that never happened (virtual time starts at 0, so 0 is a real instant).</summary>
    private const long Never = long.MinValue / 4;

    /// <summary>SOCK_MIN_RCVBUF / 2: the smallest window clamp tcp_set_window_clamp allows.</summary>
    private const int MinimumWindowClamp = 2304;

    /// <summary>SOCK_MIN_RCVBUF: TCP_SKB_MIN_TRUESIZE, 2048 bytes plus an aligned struct sk_buff.</summary>
    private const int SockMinRcvbuf = 2304;

    /// <summary>SOCK_MIN_SNDBUF: twice TCP_SKB_MIN_TRUESIZE.</summary>
    private const int SockMinSndbuf = 2 * 2304;

    // Send sequence space (RFC 9293 3.3.1).
    private SeqNum _iss;
    private SeqNum _sndUna;
    private SeqNum _sndNxt;
    private SeqNum _writeSeq;
    private SeqNum _pushedSeq;
    private SeqNum? _sndSml { get => Has(SocketFlags.SndSmlKnown) ? _sndSmlValue : null; set => (_sndSmlValue, _flags) = value is { } seq ? (seq, _flags | SocketFlags.SndSmlKnown) : (default, _flags & ~SocketFlags.SndSmlKnown); }
    private SeqNum _sndSmlValue; // _sndSml unwrapped: its presence is a flag (a nullable took 8 bytes)
    private uint _sndWnd;
    private SeqNum _sndWl1;
    private SeqNum _sndWl2;
    private uint _maxWindow;
    private bool _finQueued { get => Has(SocketFlags.FinQueued); set => Set(SocketFlags.FinQueued, value); }
    private bool _isnInherited { get => Has(SocketFlags.IsnInherited); set => Set(SocketFlags.IsnInherited, value); }

    // Receive sequence space.
    private SeqNum _irs;
    private SeqNum _rcvNxt;
    private SeqNum _rcvWup;
    private uint _rcvWnd;
    private uint _rcvSsthresh;
    private uint _windowClamp;
    private int _scalingRatio = 128;
    private int _receiveBufferGrown;
    private bool _ackNoMemory { get => Has(SocketFlags.AckNoMemory); set => Set(SocketFlags.AckNoMemory, value); }

    // Negotiated options.
    private int _advMss;
    private int _mssCache;
    private int _rcvMss = 536;
    private byte _sndWscale { get => (byte)(_windowScales & 0x0F); set => _windowScales = (byte)((_windowScales & 0xF0) | WindowScaleNibble(value)); }
    private byte _rcvWscale { get => (byte)(_windowScales >> 4); set => _windowScales = (byte)((_windowScales & 0x0F) | (WindowScaleNibble(value) << 4)); }
    private byte _windowScales { get => Field(WindowScalesShift, 0xFF); set => SetField(WindowScalesShift, 0xFF, value); } // snd_wscale:4 and rcv_wscale:4 in one byte, as tcp_options_received keeps them (both at most 14)
    private bool _wscaleOk { get => Has(SocketFlags.WscaleOk); set => Set(SocketFlags.WscaleOk, value); }
    private bool _sackOk { get => Has(SocketFlags.SackOk); set => Set(SocketFlags.SackOk, value); }
    private bool _tsOk { get => Has(SocketFlags.TsOk); set => Set(SocketFlags.TsOk, value); }
    private uint _tsRecent;
    private long _tsRecentStamp;
    private uint _tsOffset;
    private ushort _ipId;

    // Buffers (the send and receive queues exist only while they hold something: TcpSocket.Queues).
    private SendQueue? _sendQueue;
    private WriteQueue _writeQueue = new();
    private ReceiveQueue? _receiveQueue;
    private PooledRing<SentSegment> _inFlight = new();

    // Retransmission (RFC 6298 with Linux's bounds). Members that stay at their defaults until a loss, an RTO or
    // out-of-order data (_totalRto, _recoveryPoint and SACK compression's) are properties over the
    // loss-recovery record (LossRecovery), made by the first value that is not a default. What a tail-loss probe
    // that retransmits, its D-SACK and the duplicate ACK that carries it leave (tlp_high_seq, tlp_retrans,
    // total_retrans, dsack_dups and the duplicate-ACK count: 17 bytes) is in the socket: under load a third of
    // connections send one, and would otherwise carry the record (128 bytes).
    private RttEstimator _rtt;
    private long _rto = Jiffies.TimeoutInit;
    private int _backoff;
    private int _retransmits;
    private int _totalRto { get => _loss?.TotalRto ?? default; set { if (_loss is not null || value != default) { LossState.TotalRto = value; } } }
    private long _retransStamp = Never;
    private SeqNum _tlpHighSeq;

    /// <summary>tp->tlp_retrans: the outstanding loss probe was a retransmission (not new data).</summary>
    private bool _tailProbeRetransmitted { get => Has(SocketFlags.TailProbeRetransmitted); set => Set(SocketFlags.TailProbeRetransmitted, value); }

    /// <summary>tp->total_retrans: segments retransmitted over the connection's life.</summary>
    private int _totalRetransmissions;

    /// <summary>tp->dsack_dups: segments D-SACKed over the connection's life.</summary>
    private int _dsackDuplicates;
    private bool _tlpOutstanding { get => Has(SocketFlags.TlpOutstanding); set => Set(SocketFlags.TlpOutstanding, value); }
    private RetransmitTimerMode _retransmitMode { get => (RetransmitTimerMode)Field(RetransmitModeShift, 0x0F); set => SetField(RetransmitModeShift, 0x0F, (byte)value); }
    private uint _sendOrder;

    // Congestion control (the algorithm's hooks: TcpSocket.CongestionControl; Linux's initial window of 10).
    private int _cwnd = 10;
    private int _ssthresh = int.MaxValue;
    private int _cwndCounter;
    /// <summary>Duplicate ACKs counted without SACK (tp->sacked_out's stand-in for a Reno peer).</summary>
    private int _dupAcks;
    private CongestionState _caState;
    private SeqNum _recoveryPoint { get => _loss?.RecoveryPoint ?? default; set { if (_loss is not null || value != default) { LossState.RecoveryPoint = value; } } }

    private static int WindowScaleNibble(byte scale) =>
        scale <= 0x0F ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "a window scale is at most 14");

    // Delayed ACK (inet_connection_sock's icsk_ack).
    private int _quickAcks;
    private bool _pingpong { get => Has(SocketFlags.Pingpong); set => Set(SocketFlags.Pingpong, value); }
    private long _ato;
    private long _lastReceiveTime = Never;
    private bool _ackScheduled { get => Has(SocketFlags.AckScheduled); set => Set(SocketFlags.AckScheduled, value); }
    private bool _ackNow { get => Has(SocketFlags.AckNow); set => Set(SocketFlags.AckNow, value); }
    private long _delayedAckDeadline;

    // icsk_ack.pending's ICSK_ACK_PUSHED (1) and ICSK_ACK_PUSHED2 (2), cleared when an ACK leaves; icsk_ack.last_seg_size.
    private const byte AckPushed = 1;
    private const byte AckPushed2 = 2;
    private byte _ackPushed { get => Field(AckPushedShift, 0x03); set => SetField(AckPushedShift, 0x03, value); }
    private int _lastSegmentSize;

    // Keepalive and liveness.
    private int _probesOut;
    private long _lastAckReceivedTime;

    /// <summary>icsk_probes_tstamp: when the probe timer first fired in this run of window probes (Never: not probing).</summary>
    private long _probesStamp = Never;

    private enum RetransmitTimerMode : byte
    {
        None,
        Rto,
        LossProbe,
        ZeroWindowProbe,
        SynAck,

        /// <summary>ICSK_TIME_REO_TIMEOUT: RACK's reordering window runs out.</summary>
        ReorderTimeout,
    }

    /// <summary>Sequence space in flight: the data still unacknowledged, with SYN and FIN counted.</summary>
    private int PacketsOut => _inFlight.Count;

    /// <summary>
    /// sk_rcvbuf: SO_RCVBUF doubled (for the sk_buff overhead), never below SOCK_MIN_RCVBUF
    /// (sock_setsockopt's __sock_set_rcvbuf), and then locked; else tcp_rmem's default, or more once
    /// autotuning (tcp_rcvbuf_grow) or tcp_clamp_window has grown it.
    /// </summary>
    private int ReceiveBuffer => _options.ReceiveBuffer is { } size ? SocketBuffer(size, SockMinRcvbuf) : Math.Max(_stack.Sysctls.TcpRmem.Default, _receiveBufferGrown);

    /// <summary>SOCK_RCVBUF_LOCK: the application set SO_RCVBUF, so TCP never resizes the buffer.</summary>
    private bool ReceiveBufferLocked => _options.ReceiveBuffer is not null;

    /// <summary>SO_RCVBUF / SO_SNDBUF as sock_setsockopt stores them: doubled (the value is capped so that it can be), at least the minimum.</summary>
    private static int SocketBuffer(int requested, int minimum) => Math.Max(Math.Min(requested, int.MaxValue / 2) * 2, minimum);

    /// <summary>sk_rmem_alloc: what the held data is charged (<see cref="SkbTruesize"/>).</summary>
    private long ReceiveMemory => _receiveQueue?.Memory ?? 0;

    /// <summary>tp->advmss: the MSS we advertised, less the timestamp option when timestamps are on.</summary>
    private int AdvertisedMssLessOptions => _advMss - (_tsOk ? 12 : 0);

    private uint TsVal => unchecked(_stack.ClockMilliseconds + _tsOffset);

    /// <summary>
    /// A segment in the retransmission queue, with the time of its last transmission and Linux's scoreboard
    /// tags (tcp_skb_cb's sacked: S, L, R): <see cref="Sacked"/> (TCPCB_SACKED_ACKED), <see cref="Lost"/>
    /// (TCPCB_LOST, kept while the retransmission is out), <see cref="RetransmissionOut"/>
    /// (TCPCB_SACKED_RETRANS: a retransmission of it is in flight) and <see cref="Retransmitted"/>
    /// (TCPCB_EVER_RETRANS).
    /// </summary>
    internal struct SentSegment
    {
        public SeqNum Seq;
        public SeqNum End;
        public TcpFlags Flags;
        public long SentAt;
        public bool Retransmitted;
        public bool Sacked;
        public bool Lost;
        public bool RetransmissionOut;

        /// <summary>
        /// The order of its last transmission among the socket's: RACK's tie-break between segments sent at
        /// the same instant (Linux's microsecond send stamps differ; the simulator's instants may not).
        /// </summary>
        public uint Order;

        /// <summary>tx.delivered: the socket's delivered count at the last transmission (tcp_rate_skb_sent).</summary>
        public uint TxDelivered;

        /// <summary>tx.is_app_limited: sent inside an application-limited bubble.</summary>
        public bool TxAppLimited;

        /// <summary>tx.delivered_mstamp: when that count was reached, µs (0: no rate stamp, or SACKed and counted).</summary>
        public long TxDeliveredMstamp;

        /// <summary>tx.first_tx_mstamp: the send time of the segment delivered last before this transmission, µs.</summary>
        public long TxFirstTxMstamp;

        public readonly int DataLength => (End - Seq) - ((Flags & TcpFlags.Syn) != 0 ? 1 : 0) - ((Flags & TcpFlags.Fin) != 0 ? 1 : 0);
    }

    /// <summary>The route's MSS to advertise: MTU − 40, at most 65495 (ipv4_default_advmss).</summary>
    private int AdvertisedMss(IPv4Address remote) => Math.Clamp(PathMtu(remote) - 40, 256, 65535 - 40);

    /// <summary>
    /// The MTU of the route to <paramref name="remote"/>, at most IP_MAX_MTU (65535: loopback's 65536 reads 65535 in
    /// icsk_pmtu_cookie); the simulator has no PMTU discovery.
    /// </summary>
    private int PathMtu(IPv4Address remote) =>
        Math.Min(65535, _stack.Host.IsLocalAddress(remote)
            ? _stack.Host.Loopback.Mtu
            : _stack.Host.Routes.Lookup(remote)?.Interface.Mtu ?? 1500);

    /// <summary>
    /// tcp_select_initial_window: the first window (a multiple of the MSS) and the window scale. A buffer
    /// the application sized (SO_RCVBUF) clamps the window to the buffer's full space, the scale included
    /// (tcp_connect_init, tcp_openreq_init_rwin), so SO_RCVBUF 4096 offers 2896 bytes with wscale 0
    /// (tests/reference/kernel/25-slow-reader-rcvbuf.txt); otherwise the scale allows for tcp_rmem's maximum and
    /// net.core.rmem_max. rcv_wnd (and so rcv_ssthresh) is the whole space: only the SYN's field is cut to 65535, so a
    /// large locked buffer offers its space once the handshake is done (39-buffer-max: 32759 × 128).
    /// </summary>
    private void SelectInitialWindow(int mss)
    {
        var initial = InitialWindow(mss, _wscaleOk);
        _rcvWnd = initial.Window;
        _rcvWscale = initial.Scale;
        _rcvSsthresh = _rcvWnd;
        _windowClamp = initial.Clamp;
        _rcvWup = _rcvNxt;
    }

    /// <summary>
    /// tcp_select_initial_window's arithmetic for this socket's buffer (a listener's for a SYN-ACK): the window,
    /// the scale (0 without <paramref name="windowScaling"/>) and the window clamp.
    /// </summary>
    private (uint Window, byte Scale, uint Clamp) InitialWindow(int mss, bool windowScaling)
    {
        long fullSpace = (long)ReceiveBuffer * _scalingRatio / 256;
        long clamp = ReceiveBufferLocked ? fullSpace : (long)ushort.MaxValue << 14;
        long space = Math.Min(fullSpace, clamp);
        if (space > mss)
        {
            space = space / mss * mss;
        }

        byte scale = 0;
        if (windowScaling)
        {
            long maximum = Math.Min(Math.Max(space, Math.Max(_stack.Sysctls.TcpRmem.Max, _stack.Sysctls.NetCoreRmemMax)), clamp);
            scale = (byte)Math.Clamp((int)Math.Log2(maximum) - 15, 0, 14);
        }

        return ((uint)Math.Min(space, uint.MaxValue), scale, (uint)Math.Min((long)ushort.MaxValue << scale, clamp));
    }
}
