namespace TcpActors.Endpoints;

/// <summary>
/// How a write becomes sk_buffs (tcp_sendmsg_locked) and where PSH goes (tcp_mark_push, forced_push, tcp_push).
/// The boundaries matter on the wire: tcp_write_xmit cuts an sk_buff to the MSS or the window but never merges
/// two, so the last segment of a write may be short although more data follows, and PSH marks the end of a
/// write or of every half of the peer's largest window.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>
    /// tcp_send_mss: how large tcp_sendmsg_locked lets an sk_buff grow. Linux makes it a multiple of the MSS
    /// when the route does GSO (tcp_xmit_size_goal); the simulator models the device without GSO
    /// (gso_max_segs 1, as experiments 25 to 27 set on the client), where size_goal is the current MSS. On
    /// loopback the two agree: the MSS bounded to half the peer's window is already as large as a GSO packet.
    /// </summary>
    private int SizeGoal => CurrentMss;

    /// <summary>forced_push: more than half the peer's largest window written since the last PSH.</summary>
    private bool ForcedPush => _writeSeq > _pushedSeq + (int)(_maxWindow >> 1);

    /// <summary>
    /// tcp_sendmsg_locked's copy loop for a write of <paramref name="bytes"/> (the bytes are already in the send
    /// queue): top up the unsent tail while it is shorter than size_goal, else start a new sk_buff; each time
    /// one is full and more follows, push it out, marked PSH when forced_push says so; at the end tcp_push marks
    /// the tail PSH (our send() has no MSG_MORE) and sends what the windows and Nagle allow.
    /// </summary>
    /// <remarks>
    /// Not modelled: autocorking (tcp_should_autocork, tcp_autocorking 1), which holds a short tail back while
    /// earlier sk_buffs of this socket still sit in a qdisc or device (sk_wmem_alloc above the tail's
    /// truesize). On loopback and veth (noqueue) the device orphans each sk_buff as it transmits it, so that
    /// never holds in the recorded experiments; the simulator's links do not account sk_wmem_alloc either.
    /// Nor are sk_flush_backlog (every 16 new sk_buffs Linux processes the ACKs that arrived meanwhile) and
    /// the wait for send-buffer space (which marks the tail PSH) modelled: a write here is copied at once.
    /// </remarks>
    private void CopyToWriteQueue(int bytes)
    {
        int sizeGoal = SizeGoal;
        int left = bytes;
        while (left > 0)
        {
            int tailLength = _writeQueue.IsEmpty ? sizeGoal : _writeQueue.Tail.End - _writeQueue.TailStart(_sndNxt);
            if (tailLength >= sizeGoal)
            {
                _writeQueue.Add(_writeSeq);
                tailLength = 0;
            }

            int copy = Math.Min(sizeGoal - tailLength, left);
            _writeSeq += copy;
            _writeQueue.ExtendTail(_writeSeq);
            left -= copy;
            if (left == 0)
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
        if (!_writeQueue.IsEmpty)
        {
            MarkPush();
        }
    }

    /// <summary>tcp_mark_push: PSH on the tail; forced_push counts from here.</summary>
    private void MarkPush()
    {
        _writeQueue.MarkTailPush();
        _pushedSeq = _writeSeq;
    }
}
