using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// The send buffer as Linux accounts it (include/net/sock.h, net/core/stream.c, tcp_input.c's tcp_sndbuf_expand
/// and tcp_new_space): every sk_buff of the write and retransmission queues is charged its truesize to
/// sk_wmem_queued, a send() allocates a new sk_buff only while that is below sk_sndbuf (sk_stream_memory_free),
/// and a writer that ran out sleeps until ACKs have freed a third of the buffer (sk_stream_write_space).
/// sk_sndbuf starts at tcp_wmem's default and grows with the congestion window unless SO_SNDBUF locked it.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>
    /// SKB_TRUESIZE of an sk_buff tcp_stream_alloc_skb makes for a write: a MAX_TCP_HEADER (256) head from the
    /// small-head cache, its skb_shared_info (320) and the struct sk_buff (256); the data copied into it adds its
    /// length. tests/reference/kernel/25-slow-reader-rcvbuf.txt shows it: w98040 for 43 sk_buffs holding 62264
    /// bytes (62264 + 43 × 832).
    /// </summary>
    private const int SendSkbOverhead = 832;

    /// <summary>MAX_TCP_HEADER of this kernel (the 256-byte head above; with it per_mss is 2304 for a 1460-byte MSS).</summary>
    private const int MaxTcpHeader = 256;

    /// <summary>SKB_DATA_ALIGN(sizeof(struct skb_shared_info)).</summary>
    private const int SkbSharedInfoBytes = 320;

    /// <summary>SKB_DATA_ALIGN(sizeof(struct sk_buff)).</summary>
    private const int SkBuffBytes = 256;

    /// <summary>sk_sndbuf while SO_SNDBUF has not locked it: tcp_wmem's default at first (tcp_init_sock), then as tcp_sndbuf_expand grew it.</summary>
    private int _sndbufAuto = -1;

    /// <summary>
    /// How long a writer woken by sk_stream_write_space takes to run again (the scheduler's wake-up latency): in
    /// tests/reference/kernel/27-reorder-dsack.txt the ACK that grew sk_sndbuf came at 0.307473 and the first
    /// segment of the writer's copy left at 0.307750. The socket is not owned meanwhile: ACKs are processed as
    /// they come.
    /// </summary>
    private static readonly Duration WriterWakeLatency = Duration.FromMicroseconds(277);

    /// <summary>SOCK_NOSPACE: a send() found the buffer full and sleeps in sk_stream_wait_memory.</summary>
    private bool _writerWaiting { get => Has(SocketFlags.WriterWaiting); set => Set(SocketFlags.WriterWaiting, value); }

    /// <summary>The sleeping writer was woken and runs again after <see cref="WriterWakeLatency"/>.</summary>
    private bool _writerWaking { get => Has(SocketFlags.WriterWaking); set => Set(SocketFlags.WriterWaking, value); }

    /// <summary>sk_sndbuf: SO_SNDBUF doubled and locked (SOCK_SNDBUF_LOCK), else tcp_wmem's default as tcp_sndbuf_expand grew it.</summary>
    private int SendBuffer => _options.SendBuffer is { } size
        ? SocketBuffer(size, SockMinSndbuf)
        : _sndbufAuto >= 0 ? _sndbufAuto : _stack.Sysctls.TcpWmem.Default;

    /// <summary>SOCK_SNDBUF_LOCK: the application set SO_SNDBUF, so TCP never resizes the buffer.</summary>
    private bool SendBufferLocked => _options.SendBuffer is not null;

    /// <summary>
    /// sk_wmem_queued: the bytes of every sk_buff not yet acknowledged (a partly acknowledged one was trimmed,
    /// tcp_trim_head) and each sk_buff's overhead, sent (one per segment in the retransmission queue, as
    /// tcp_fragment cut them) or not (the write queue).
    /// </summary>
    private long WmemQueued => (_sendQueue?.Length ?? 0) + ((long)SendSkbOverhead * (PacketsOut + _writeQueue.Count));

    /// <summary>sk_stream_memory_free: a new sk_buff may be allocated (tcp_notsent_lowat is unlimited by default).</summary>
    private bool SendMemoryFree => WmemQueued < SendBuffer;

    /// <summary>__sk_stream_is_writeable: the free space (sk_stream_wspace) is at least half what is queued (sk_stream_min_wspace), a third of the buffer.</summary>
    private bool SendBufferWriteable => SendBuffer - WmemQueued >= WmemQueued >> 1 && SendMemoryFree;

    /// <summary>
    /// tcp_sndbuf_expand: room for the congestion control's factor times max(cwnd, TCP_INIT_CWND, reordering + 1)
    /// sk_buffs of one MSS each, as kmalloc sizes their heads (2304 bytes for a 1460-byte MSS), up to tcp_wmem's
    /// maximum; it never shrinks. The factor is the algorithm's sndbuf_expand (bbr_sndbuf_expand: 3, for BBR's
    /// pacing headroom) or 2 ("Cubic needs 1.7, rounded to 2"): the socket's algorithm's (<see cref="CongestionOps.SndbufExpand"/>).
    /// </summary>
    private void ExpandSendBuffer()
    {
        // rx_opt.mss_clamp is the peer's MSS option; the simulator keeps it only as bounded by ours (mss_cache
        // plus the timestamp option), which gives the same power of two for every MSS the labs use.
        int mss = _mssCache + (_tsOk ? 12 : 0);
        long perMss = RoundUpToPowerOfTwo(mss + MaxTcpHeader + SkbSharedInfoBytes) + SkBuffBytes;
        int segments = Math.Max(Math.Max(10, _cwnd), (_loss?.Reordering ?? _stack.Sysctls.TcpReordering) + 1);
        int factor = CaOps.SndbufExpand;
        long sendMemory = factor * segments * perMss;
        if (SendBuffer < sendMemory)
        {
            _sndbufAuto = (int)Math.Min(sendMemory, _stack.Sysctls.TcpWmem.Max);
        }
    }

    /// <summary>tcp_init_buffer_space's send half: size the buffer for the initial window unless SO_SNDBUF locked it.</summary>
    private void InitSendBufferSpace()
    {
        if (!SendBufferLocked)
        {
            ExpandSendBuffer();
        }
    }

    /// <summary>
    /// tcp_check_space → tcp_new_space, when ACKs were processed or new data sent while a writer sleeps: grow the
    /// buffer if the congestion window is not full (tcp_should_expand_sndbuf; memory pressure is not modelled),
    /// then wake the writer once a third of the buffer is free (sk_stream_write_space); it runs again a little
    /// later (<see cref="OnWriterWoken"/>).
    /// </summary>
    private void CheckSendSpace()
    {
        if (!_writerWaiting)
        {
            return;
        }

        if (!SendBufferLocked && PacketsInFlight < _cwnd)
        {
            ExpandSendBuffer();
        }

        if (!SendBufferWriteable)
        {
            return;
        }

        _writerWaiting = false;
        _writerWaking = true;
        _stack.Host.System.ScheduleTellOnce(WriterWakeLatency, Self, WriterWoken.Instance, ActorRefs.NoSender);
    }

    /// <summary>The woken writer runs: its send() goes on copying.</summary>
    private void OnWriterWoken()
    {
        if (!_writerWaking)
        {
            return;
        }

        _writerWaking = false;
        ServePendingSends();
    }

    /// <summary>
    /// tcp_event_new_data_sent's tcp_check_space: a segment sent while a writer waits may grow the buffer (the
    /// writer is woken, if that made room, by the next <see cref="CheckSendSpace"/>).
    /// </summary>
    private void NewDataSentWhileWriterWaits()
    {
        if (_writerWaiting && !SendBufferLocked && PacketsInFlight < _cwnd)
        {
            ExpandSendBuffer();
        }
    }

    private sealed record WriterWoken
    {
        public static readonly WriterWoken Instance = new();
    }

    private static long RoundUpToPowerOfTwo(int value)
    {
        long power = 1;
        while (power < value)
        {
            power <<= 1;
        }

        return power;
    }
}
