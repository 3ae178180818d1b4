namespace TcpActors.Endpoints;

/// <summary>
/// How a write becomes sk_buffs (tcp_sendmsg_locked) and where PSH goes (tcp_mark_push, forced_push, tcp_push).
/// The boundaries matter on the wire: tcp_write_xmit cuts an sk_buff to the MSS or the window but never merges
/// two, so the last segment of a write may be short although more data follows, and PSH marks the end of a
/// write, every half of the peer's largest window, and every point where the writer ran out of send buffer.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>tcp_sendmsg_locked processes the socket's backlog (sk_flush_backlog) before every 16th new sk_buff of a write.</summary>
    private const int SkbsBetweenBacklogFlushes = 16;

    /// <summary>Bytes of the write at the head of the send() calls already copied into sk_buffs.</summary>
    private int _writeCopied;

    /// <summary>tcp_sendmsg_locked's process_backlog: new sk_buffs of this write since the backlog was last processed.</summary>
    private int _writeSkbsSinceFlush;

    /// <summary>Where a write's copy stopped.</summary>
    private enum CopyOutcome : byte
    {
        /// <summary>Every byte is in the write queue; send() returns.</summary>
        Done,

        /// <summary>The send buffer is full: the writer sleeps in sk_stream_wait_memory (SOCK_NOSPACE).</summary>
        WaitingForMemory,

        /// <summary>sk_flush_backlog: the segments that arrived during the copy are taken in first.</summary>
        FlushingBacklog,
    }

    /// <summary>
    /// tcp_send_mss: how large tcp_sendmsg_locked lets an sk_buff grow: the current MSS without GSO (gso_max_segs 1,
    /// as experiments 25 to 27 set on the client), a multiple of it with GSO (<see cref="XmitSizeGoal"/>). On
    /// loopback the two agree: the MSS bounded to half the peer's window is already as large as a GSO packet.
    /// </summary>
    private int SizeGoal => XmitSizeGoal(CurrentMss);

    /// <summary>forced_push: more than half the peer's largest window written since the last PSH.</summary>
    private bool ForcedPush => _writeSeq > _pushedSeq + (int)(_maxWindow >> 1);

    /// <summary>
    /// tcp_sendmsg_locked's copy loop for <paramref name="command"/>, from where it stopped: top up the unsent tail
    /// while it is shorter than size_goal, else start a new sk_buff — if the send buffer has room
    /// (sk_stream_memory_free), else mark the tail PSH, push what is queued and wait (tcp_push with TCP_NAGLE_PUSH,
    /// sk_stream_wait_memory); before every 16th new sk_buff take in the segments that arrived meanwhile
    /// (sk_flush_backlog). Each time an sk_buff is full and more follows, push it out, marked PSH when forced_push
    /// says so. At the end tcp_push marks the tail PSH (our send() has no MSG_MORE); the caller sends it.
    /// </summary>
    /// <remarks>
    /// Not modelled: autocorking (tcp_should_autocork, tcp_autocorking 1), which holds a short tail back while
    /// earlier sk_buffs of this socket still sit in a qdisc or device (sk_wmem_alloc above the tail's
    /// truesize). On loopback and veth (noqueue) the device orphans each sk_buff as it transmits it, so that
    /// never holds in the recorded experiments; the simulator's links do not account sk_wmem_alloc either.
    /// </remarks>
    private CopyOutcome CopyWrite(Send command)
    {
        int total = command.Data.Length;
        if (_writeCopied == 0)
        {
            RestartWindowAfterIdle();
        }

        int sizeGoal = SizeGoal;
        while (_writeCopied < total)
        {
            int tailLength = _writeQueue.IsEmpty ? sizeGoal : _writeQueue.Tail.End - _writeQueue.TailStart(_sndNxt);
            if (tailLength >= sizeGoal)
            {
                if (!SendMemoryFree && !WaitForSendMemory())
                {
                    return CopyOutcome.WaitingForMemory;
                }

                if (_writeSkbsSinceFlush >= SkbsBetweenBacklogFlushes)
                {
                    // The caller takes the backlog in and calls again, which restarts with a fresh size_goal.
                    _writeSkbsSinceFlush = 0;
                    return CopyOutcome.FlushingBacklog;
                }

                if (_writeQueue.IsEmpty)
                {
                    ChronoStartBusy();
                }

                _writeQueue.Add(_writeSeq, _stack.UnsentSkbs);
                _writeSkbsSinceFlush++;
                tailLength = 0;
            }

            int copy = Math.Min(sizeGoal - tailLength, total - _writeCopied);
            Sending.Append(command.Data.Slice(_writeCopied, copy));
            _writeCopied += copy;
            _writeSeq += copy;
            _writeQueue.ExtendTail(_writeSeq);
            if (_writeCopied == total)
            {
                break;
            }

            if (ForcedPush)
            {
                MarkPush();
                PushPendingData();
            }
            else if (_writeQueue.Count == 1)
            {
                // tcp_push_one: the full sk_buff is the send head.
                PushPendingData();
            }
        }

        // tcp_push: the tail is still unsent here (nothing sends a short tail from inside the loop).
        if (total > 0 && !_writeQueue.IsEmpty)
        {
            MarkPush();
        }

        return CopyOutcome.Done;
    }

    /// <summary>
    /// wait_for_space: SOCK_NOSPACE, then, if this send() copied anything, tcp_push with TCP_NAGLE_PUSH (the tail
    /// marked PSH, Nagle ignored); sk_stream_wait_memory returns at once if the send buffer has room by then (the
    /// segments just sent may have grown it, tcp_check_space), else the writer sleeps. True if it did not sleep.
    /// </summary>
    private bool WaitForSendMemory()
    {
        _writerWaiting = true;
        if (_writeCopied > 0)
        {
            if (!_writeQueue.IsEmpty)
            {
                MarkPush();
            }

            PushPendingData(nagleOff: true);
        }

        if (!SendMemoryFree)
        {
            return false;
        }

        _writerWaiting = false;
        return true;
    }

    /// <summary>tcp_mark_push: PSH on the tail; forced_push counts from here.</summary>
    private void MarkPush()
    {
        _writeQueue.MarkTailPush();
        _pushedSeq = _writeSeq;
    }
}
