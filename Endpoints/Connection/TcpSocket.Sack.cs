using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The SACK scoreboard (tcp_input.c's tcp_sacktag_write_queue, tcp_sacktag_one, tcp_check_dsack and
/// tcp_dsack_seen): which segments the peer holds, which retransmissions a D-SACK shows were needless
/// (undo_retrans), and the reordering that a SACK for a hole, or a D-SACK for a SACKed segment, reveals.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>
    /// Tags the segments the SACK blocks cover, in sequence order as Linux walks them; returns
    /// FLAG_DATA_SACKED, FLAG_ORIG_SACK_ACKED, FLAG_DSACKING_ACK. Blocks beyond snd_nxt, reversed ones and
    /// those wholly below snd_una (other than a D-SACK counted by <see cref="CheckDsack"/>) are ignored.
    /// </summary>
    private AckFlags TagSackBlocks(Segment segment, SeqNum priorSndUna, ref SackTag tag)
    {
        if (!_sackOk || segment.Options.SackBlocks is not { Length: > 0 } blocks)
        {
            return AckFlags.None;
        }

        var flags = AckFlags.None;
        bool dsack = CheckDsack(segment.Ack, blocks, priorSndUna, ref flags, ref tag);
        if (PacketsOut == 0)
        {
            return flags;
        }

        var valid = new List<(SackBlock Block, bool Duplicate)>(blocks.Length);
        for (int i = 0; i < blocks.Length; i++)
        {
            var block = blocks[i];
            bool duplicate = dsack && i == 0;
            if (SackBlockValid(block, duplicate) && block.Right > priorSndUna)
            {
                valid.Add((block, duplicate));
            }
        }

        valid.Sort((a, b) => a.Block.Left < b.Block.Left ? -1 : a.Block.Left > b.Block.Left ? 1 : 0);
        var fack = HighestSackEnd();
        foreach (var (block, duplicate) in valid)
        {
            for (int i = 0; i < _inFlight.Count; i++)
            {
                var sent = _inFlight[i];
                if (sent.Seq >= block.Left && sent.End <= block.Right)
                {
                    flags |= TagOne(ref sent, duplicate, ref fack, ref tag);
                    StoreSent(i, sent);
                }
            }
        }

        if (_caState != CongestionState.Loss || _loss is { HasUndoMarker: true })
        {
            CheckSackReordering(tag.Reord, byTimestamp: false);
        }

        return flags;
    }

    /// <summary>tcp_is_sackblock_valid: within [snd_una, snd_nxt], or a D-SACK wholly below snd_una but not below undo_marker.</summary>
    private bool SackBlockValid(SackBlock block, bool duplicate)
    {
        if (block.Right > _sndNxt || block.Left >= block.Right || block.Left >= _sndNxt)
        {
            return false;
        }

        if (block.Left > _sndUna)
        {
            return true;
        }

        if (!duplicate || _loss is not { HasUndoMarker: true } loss || block.Right > _sndUna)
        {
            return false;
        }

        return block.Left >= loss.UndoMarker || (block.Right > loss.UndoMarker && block.Left >= block.Right - (int)_maxWindow);
    }

    /// <summary>tcp_sacktag_one for one segment wholly inside a block.</summary>
    private AckFlags TagOne(ref SentSegment sent, bool duplicate, ref SeqNum fack, ref SackTag tag)
    {
        var loss = LossState;
        var flags = AckFlags.None;
        if (duplicate && sent.Retransmitted)
        {
            if (loss.HasUndoMarker && loss.UndoRetransmissions > 0 && sent.End > loss.UndoMarker)
            {
                loss.UndoRetransmissions--;
            }

            if (sent.Sacked && sent.Seq < tag.Reord)
            {
                tag.Reord = sent.Seq;
            }
        }

        if (!sent.Sacked)
        {
            RackAdvance(sent);
            if (sent.RetransmissionOut)
            {
                // An L|R segment SACKed is plain S; an R one keeps its retransmission in flight.
                if (sent.Lost)
                {
                    sent.Lost = false;
                    sent.RetransmissionOut = false;
                }
            }
            else
            {
                if (!sent.Retransmitted)
                {
                    if (sent.Seq < fack && sent.Seq < tag.Reord)
                    {
                        tag.Reord = sent.Seq; // a hole filled by an original: reordering
                    }

                    flags |= sent.End <= _recoveryPoint ? AckFlags.OriginalSackedOrAcked : AckFlags.None;
                    tag.FirstSackedSentAt = tag.FirstSackedSentAt < 0 ? sent.SentAt : tag.FirstSackedSentAt;
                    tag.LastSackedSentAt = sent.SentAt;
                }

                sent.Lost = false;
            }

            sent.Sacked = true;
            flags |= AckFlags.DataSacked;
            tag.Delivered++;
            tag.NoteDelivered(sent.SentAt);
            fack = sent.Seq >= fack ? sent.End : fack;
        }

        if (duplicate && sent.RetransmissionOut)
        {
            sent.RetransmissionOut = false;
        }

        RateSkbDelivered(ref sent, ref tag.Rate);
        return flags;
    }

    /// <summary>
    /// tcp_check_dsack: the first block is a D-SACK if it lies below the cumulative ACK, or inside the second
    /// block (RFC 2883). A believable one (<see cref="DsackSeen"/>) wholly below snd_una takes a needless
    /// retransmission off undo_retrans here, as its segment is gone from the queue.
    /// </summary>
    private bool CheckDsack(SeqNum ack, SackBlock[] blocks, SeqNum priorSndUna, ref AckFlags flags, ref SackTag tag)
    {
        var first = blocks[0];
        bool belowAck = first.Left < ack;
        bool insideSecond = blocks.Length > 1 && first.Right <= blocks[1].Right && first.Left >= blocks[1].Left;
        if (!belowAck && !insideSecond)
        {
            return false;
        }

        _stack.Counters.DsacksReceived++;
        int duplicates = DsackSeen(first, ref flags, ref tag);
        if (duplicates == 0)
        {
            return false;
        }

        if (_loss is { HasUndoMarker: true } loss && loss.UndoRetransmissions > 0 && first.Right <= priorSndUna && first.Right > loss.UndoMarker)
        {
            loss.UndoRetransmissions = Math.Max(0, loss.UndoRetransmissions - duplicates);
        }

        return true;
    }

    /// <summary>
    /// tcp_dsack_seen: how many segments the D-SACK names (0 for a dubious one: longer than the peer's largest
    /// window, or more D-SACKed than ever retransmitted). After reordering was seen it asks RACK to widen its
    /// window (not for the loss probe's D-SACK).
    /// </summary>
    private int DsackSeen(SackBlock block, ref AckFlags flags, ref SackTag tag)
    {
        long length = block.Right - block.Left;
        if (length <= 0 || length > _maxWindow)
        {
            return 0;
        }

        int duplicates = 1;
        if (length > _mssCache)
        {
            duplicates = (int)((length + _mssCache - 1) / _mssCache);
        }
        else if (_tlpOutstanding && _tlpHighSeq == block.Right)
        {
            flags |= AckFlags.DsackTailLossProbe;
        }

        _dsackDuplicates += duplicates;
        if (_dsackDuplicates > _totalRetransmissions)
        {
            return 0;
        }

        if (_loss is { ReorderSeen: > 0 } loss && (flags & AckFlags.DsackTailLossProbe) == 0)
        {
            loss.DsackSeen = true;
        }

        flags |= AckFlags.DsackingAck;
        tag.Delivered += duplicates;
        return duplicates;
    }

    /// <summary>What tagging the SACK blocks and trimming the queue found, for the rest of the ACK's processing (tcp_sacktag_state).</summary>
    private struct SackTag(SeqNum sndNxt)
    {
        /// <summary>Segments newly delivered: ACKed without having been SACKed, newly SACKed, D-SACKed.</summary>
        public int Delivered;

        /// <summary>first_sackt / last_sackt: send times of the lowest and highest newly SACKed never-retransmitted segments (−1: none).</summary>
        public long FirstSackedSentAt = -1;

        public long LastSackedSentAt = -1;

        /// <summary>state->reord: the lowest sequence shown to have been reordered (snd_nxt: none).</summary>
        public SeqNum Reord = sndNxt;

        /// <summary>prior_fack: the highest SACKed sequence before this ACK (snd_una when nothing was SACKed).</summary>
        public SeqNum PriorFack;

        /// <summary>The send time of the most recently sent segment this ACK delivered (the rate sample's packet).</summary>
        public long LatestDeliveredSentAt = long.MinValue;

        public void NoteDelivered(long sentAt) => LatestDeliveredSentAt = Math.Max(LatestDeliveredSentAt, sentAt);

        /// <summary>The ACK's delivery-rate sample (sack_state's rate), filled as segments are (S)ACKed.</summary>
        public RateSample Rate = new();
    }
}
