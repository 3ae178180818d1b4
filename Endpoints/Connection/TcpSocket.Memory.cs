using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Receive memory (tcp_input.c's tcp_try_rmem_schedule, tcp_prune_queue, tcp_clamp_window, tcp_collapse,
/// tcp_prune_ofo_queue). The window offered is the free buffer as window (tcp_space, at the measured ratio
/// of data to memory), but it never shrinks and is rounded up to the window-scale unit, and small or
/// out-of-order segments cost more memory than the ratio assumes, so data the peer may send can find
/// the buffer full. Linux then makes room before it refuses anything: it grows a buffer the application
/// did not size itself, copies the queue into compact buffers, and drops out-of-order data above the
/// segment; only then is the segment dropped, with a zero window offered at once.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>
    /// tcp_can_ingest: the receive queues are not already over sk_rcvbuf (the segment may overshoot it). This
    /// is the rule of kernels before 6.17 and after the 2026 fix to "tcp: stronger sk_rcvbuf checks", which
    /// had added the segment's truesize (later its length); which one 6.18.44 runs was not observed, as no
    /// recording overcommits the buffer.
    /// </summary>
    private bool CanIngest => ReceiveMemory <= ReceiveBuffer;

    /// <summary>
    /// tcp_try_rmem_schedule for a segment tcp_data_queue is about to queue: fine while the buffer is not
    /// overcommitted, else whatever tcp_prune_queue can free. In-order data that still does not fit draws
    /// an immediate zero-window ACK (ICSK_ACK_NOMEM) and is dropped, unless the receive queue is empty
    /// (sk_forced_mem_schedule: dropping it could never make room). Out-of-order data is dropped silently.
    /// </summary>
    private bool ScheduleReceiveMemory(Segment segment, bool inOrder)
    {
        if (CanIngest || PruneQueue(segment))
        {
            return true;
        }

        if (!inOrder)
        {
            _stack.Counters.OutOfOrderDrops++;
            _stack.Drop(segment, "receive buffer full (out-of-order data)");
            return false;
        }

        _ackNoMemory = true;
        ScheduleAck(now: true);
        if ((_receiveQueue?.SegmentsHeld ?? 0) == 0)
        {
            return true;
        }

        _stack.Counters.ReceiveQueueDrops++;
        _stack.Drop(segment, "receive buffer full");
        _ackAnswersStaleSegment = true;
        return false;
    }

    /// <summary>
    /// tcp_prune_queue: clamp the window (growing an unlocked buffer), then collapse the receive queue,
    /// then drop out-of-order data above the segment, until the buffer is no longer overcommitted. False
    /// when nothing helped (RcvPruned): the caller drops the segment.
    /// </summary>
    private bool PruneQueue(Segment segment)
    {
        if (ReceiveMemory == 0)
        {
            return false;
        }

        _stack.Counters.PruneCalled++;
        ClampWindow(SkbTruesize.OfSegment(segment.PayloadLength));
        if (CanIngest)
        {
            return true;
        }

        _stack.Counters.ReceiveCollapsed += _receiveQueue?.Collapse(_scalingRatio) ?? 0;
        if (CanIngest)
        {
            return true;
        }

        PruneOutOfOrder(segment.Seq);
        if (CanIngest)
        {
            return true;
        }

        _stack.Counters.ReceivePruned++;
        return false;
    }

    /// <summary>
    /// tcp_clamp_window: quick ACKs stop; a buffer the application did not size (no SO_RCVBUF) grows to hold
    /// the segment, up to tcp_rmem's maximum; if it still cannot, the window may grow only by two segments
    /// from now on (rcv_ssthresh).
    /// </summary>
    private void ClampWindow(int truesize)
    {
        _quickAcks = 0;
        long needed = ReceiveMemory + truesize;
        int maximum = _stack.Sysctls.TcpRmem.Max;
        if (!ReceiveBufferLocked && ReceiveBuffer < maximum)
        {
            _receiveBufferGrown = (int)Math.Min(needed, maximum);
        }

        if (needed > ReceiveBuffer)
        {
            _rcvSsthresh = Math.Min(_windowClamp, 2u * (uint)AdvertisedMssLessOptions);
        }
    }

    /// <summary>
    /// tcp_prune_ofo_queue: out-of-order data is dropped from the highest down, never below the segment
    /// that needs the room, an eighth of the buffer at a time until the buffer is no longer overcommitted.
    /// </summary>
    private void PruneOutOfOrder(SeqNum notBelow)
    {
        bool pruned = false;
        long goal = ReceiveBuffer >> 3;
        while (true)
        {
            long freed = _receiveQueue?.DropHighestOutOfOrder(notBelow) ?? -1;
            if (freed < 0)
            {
                break;
            }

            pruned = true;
            goal -= freed;
            if (goal <= 0 || OutOfOrderHeld == 0)
            {
                if (CanIngest)
                {
                    break;
                }

                goal = ReceiveBuffer >> 3;
            }
        }

        if (pruned)
        {
            // Linux reneges on what it reported (tcp_sack_reset, which RFC 2018 allows): nothing is SACKed
            // until data arrives out of order again, and the sender finds out at its retransmission timeout.
            _stack.Counters.OutOfOrderPruned++;
            _receiveQueue?.ResetSacks();
        }
    }
}
