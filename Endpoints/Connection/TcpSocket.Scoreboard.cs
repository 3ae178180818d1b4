using System.Diagnostics;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The scoreboard's counters as Linux keeps them in tcp_sock: sacked_out, lost_out and retrans_out sum the tags
/// of the retransmission queue's segments (tcp_skb_cb's sacked: S, L, R), and packets_out is the queue's length.
/// Linux updates them wherever a tag changes (tcp_sacktag_one, tcp_mark_skb_lost, tcp_retransmit_skb,
/// tcp_clean_rtx_queue, tcp_timeout_mark_lost, tcp_undo_cwnd_reduction) instead of walking the queue on every ACK;
/// here every change of a queued segment goes through <see cref="StoreSent"/>, <see cref="InsertSent"/>,
/// <see cref="RemoveFirstSent"/> or <see cref="ClearSent"/>, which adjust the counters by what changed, and in
/// Debug builds <see cref="CheckScoreboard"/> compares them with a walk of the queue after every event.
/// The counters live in <see cref="LossRecovery"/>: no segment carries a tag before the first loss or SACK.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>sacked_out: segments SACKed and not yet cumulatively acknowledged.</summary>
    private int SackedOut => _loss?.SackedOut ?? 0;

    /// <summary>lost_out: segments presumed lost (and not SACKed since).</summary>
    private int LostOut => _loss?.LostOut ?? 0;

    /// <summary>retrans_out: retransmissions in flight.</summary>
    private int RetransmissionsOut => _loss?.RetransOut ?? 0;

    /// <summary>
    /// tcp_packets_in_flight: packets_out − (sacked_out + lost_out) + retrans_out: a SACKed or lost segment is
    /// not in flight, a retransmission in flight is (a segment retransmitted but not presumed lost counts
    /// twice, as on Linux).
    /// </summary>
    private int PacketsInFlight => _loss is { } loss ? PacketsOut - (loss.SackedOut + loss.LostOut) + loss.RetransOut : PacketsOut;

    /// <summary>tcp_highest_sack_seq: the end of the highest SACKed segment, or snd_una when nothing is SACKed.</summary>
    private SeqNum HighestSackEnd() => _loss is { SackedOut: > 0 } loss ? loss.HighestSackEnd : _sndUna;

    /// <summary>Replaces the queued segment at <paramref name="index"/>, counting the tags it gained or lost.</summary>
    private void StoreSent(int index, in SentSegment updated)
    {
        ref var slot = ref _inFlight[index];
        if (slot.Sacked != updated.Sacked || slot.Lost != updated.Lost || slot.RetransmissionOut != updated.RetransmissionOut)
        {
            CountTags(slot, -1);
            CountTags(updated, +1);
        }

        slot = updated;
    }

    /// <summary>tcp_fragment's queueing of the second part: a segment inserted with the tags of the one it was cut from.</summary>
    private void InsertSent(int index, in SentSegment segment)
    {
        _inFlight.Insert(index, segment, _stack.SentSegments);
        CountTags(segment, +1);
    }

    /// <summary>tcp_clean_rtx_queue's unlinking of a segment wholly acknowledged: its tags leave the counters.</summary>
    private void RemoveFirstSent()
    {
        CountTags(_inFlight[0], -1);
        _inFlight.RemoveAt(0, _stack.SentSegments);
    }

    /// <summary>Empties the retransmission queue; no tag is left to count.</summary>
    private void ClearSent()
    {
        _inFlight.Clear(_stack.SentSegments);
        if (_loss is { } loss)
        {
            loss.SackedOut = 0;
            loss.LostOut = 0;
            loss.RetransOut = 0;
        }
    }

    /// <summary>Adds (<paramref name="sign"/> +1) or takes away (−1) a segment's tags; a segment gaining its first tag creates the loss state.</summary>
    private void CountTags(in SentSegment segment, int sign)
    {
        if (!segment.Sacked && !segment.Lost && !segment.RetransmissionOut)
        {
            return;
        }

        var loss = LossState;
        if (segment.Sacked)
        {
            loss.HighestSackEnd = sign > 0 && (loss.SackedOut == 0 || segment.End > loss.HighestSackEnd) ? segment.End : loss.HighestSackEnd;
            loss.SackedOut += sign;
        }

        loss.LostOut += segment.Lost ? sign : 0;
        loss.RetransOut += segment.RetransmissionOut ? sign : 0;
    }

    /// <summary>
    /// Debug builds: the counters equal a walk of the queue, no segment is both SACKed and lost (tcp_left_out
    /// sums the two), and the highest SACK is the highest SACKed segment's end. A missed update fails the run.
    /// </summary>
    [Conditional("DEBUG")]
    private void CheckScoreboard()
    {
        int sacked = 0, lost = 0, retrans = 0;
        var highest = _sndUna;
        foreach (var sent in _inFlight)
        {
            if (sent.Sacked && sent.Lost)
            {
                throw new InvalidOperationException($"scoreboard: {sent.Seq}:{sent.End} is both SACKed and lost on {_tuple}");
            }

            sacked += sent.Sacked ? 1 : 0;
            lost += sent.Lost ? 1 : 0;
            retrans += sent.RetransmissionOut ? 1 : 0;
            highest = sent.Sacked && (sacked == 1 || sent.End > highest) ? sent.End : highest;
        }

        if (sacked != SackedOut || lost != LostOut || retrans != RetransmissionsOut || (sacked > 0 && highest != HighestSackEnd()))
        {
            throw new InvalidOperationException(
                $"scoreboard counters on {_tuple}: sacked_out {SackedOut}, lost_out {LostOut}, retrans_out {RetransmissionsOut}, highest SACK {HighestSackEnd()}; "
                + $"the queue holds {sacked} SACKed, {lost} lost, {retrans} retransmitted, highest SACK {highest}");
        }
    }
}
