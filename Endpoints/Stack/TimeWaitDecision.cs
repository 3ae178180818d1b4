using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>What a timewait socket does with an arriving segment (Linux's enum tcp_tw_status).</summary>
internal enum TimeWaitVerdict : byte
{
    /// <summary>Discard silently (TCP_TW_SUCCESS).</summary>
    Discard,

    /// <summary>Answer with an ACK (TCP_TW_ACK / TCP_TW_ACK_OOW).</summary>
    Ack,

    /// <summary>Answer with an RST and drop the timewait (TCP_TW_RST).</summary>
    Reset,

    /// <summary>Drop the timewait at once, no reply (RST assassination, or RST in FIN_WAIT2).</summary>
    Kill,

    /// <summary>A new SYN that may reopen the connection (TCP_TW_SYN): if a listener exists, the timewait dies and it gets the SYN.</summary>
    Syn,
}

/// <summary>The verdict, the reason (for traces), and for SYN the initial sequence number to use.</summary>
internal readonly record struct TimeWaitOutcome(TimeWaitVerdict Verdict, string Reason, SeqNum NewIsn = default)
{
    /// <summary>Whether the 60 s timer restarts from now (inet_twsk_reschedule).</summary>
    public bool RestartTimer { get; init; }
}

/// <summary>
/// The TIME_WAIT decision table of <c>tcp_timewait_state_process</c> (net/ipv4/tcp_minisocks.c), as a
/// pure function of the entry, the segment and the clock; it updates the entry (timestamps, deadline,
/// substate) through the reference it is given and returns what the caller must do.
/// <para>
/// Why TIME_WAIT answers a retransmitted FIN with an ACK and restarts its 60 s (seed 000): the FIN
/// sits at R−1, outside the window, so it falls to the out-of-window branch, which ACKs every segment
/// that consumes sequence space (only zero-length segments and SYNs are rate-limited) and restarts the
/// timer for anything with an ACK. Why an RST kills it (seed 001): an in-window RST is the peer
/// forgetting the connection, and RFC 1337's protection is off by default (tcp_rfc1337 = 0).
/// </para>
/// </summary>
internal static class TimeWaitDecision
{
    /// <summary>TCP_TIMEWAIT_LEN: 60 seconds, not a sysctl.</summary>
    public const long TimeWaitLengthNanoseconds = 60_000_000_000;

    /// <summary>TCP_PAWS_MSL: an RST is exempt from PAWS once ts_recent is this old.</summary>
    private const long PawsMslNanoseconds = 60_000_000_000;

    public static TimeWaitOutcome Process(ref TimeWaitEntry entry, Segment segment, long now, Sysctls sysctls)
    {
        bool sawTimestamp = entry.HasTimestamps && segment.Options.HasTimestamps;
        bool pawsReject = sawTimestamp && PawsReject(in entry, segment, now);
        var seq = segment.Seq;
        var endSeq = segment.EndSeq;
        var rcvNxt = entry.RcvNxt;

        if (entry.Substate == TimeWaitSubstate.FinWait2)
        {
            if (pawsReject || !InWindow(seq, endSeq, rcvNxt, rcvNxt + (int)entry.ReceiveWindow))
            {
                return RateLimitedAck(ref entry, segment, now, sysctls, "out of window in FIN_WAIT2");
            }

            if (segment.IsRst)
            {
                return new(TimeWaitVerdict.Kill, "RST in FIN_WAIT2");
            }

            if (segment.IsSyn && seq >= rcvNxt)
            {
                return new(TimeWaitVerdict.Reset, "SYN in FIN_WAIT2");
            }

            if (!segment.HasAck || endSeq <= rcvNxt || endSeq == seq)
            {
                return new(TimeWaitVerdict.Discard, "duplicate ACK in FIN_WAIT2");
            }

            if (!segment.IsFin || endSeq != rcvNxt + 1)
            {
                return new(TimeWaitVerdict.Reset, "new data after half-duplex close");
            }

            entry.Substate = TimeWaitSubstate.TimeWait;
            entry.RcvNxt = endSeq;
            if (segment.Options.HasTimestamps)
            {
                entry.EnteredNanoseconds = now;
                entry.TsRecentStampNanoseconds = now;
                entry.TsRecent = segment.Options.TsVal;
            }

            return new(TimeWaitVerdict.Ack, "FIN in FIN_WAIT2: now TIME_WAIT") { RestartTimer = true };
        }

        if (!pawsReject && seq == rcvNxt && (segment.SequenceLength == 0 || segment.IsRst))
        {
            if (segment.IsRst && sysctls.TcpRfc1337 == 0)
            {
                return new(TimeWaitVerdict.Kill, "RST in TIME_WAIT (assassination, tcp_rfc1337=0)");
            }

            if (sawTimestamp)
            {
                entry.TsRecent = segment.Options.TsVal;
                entry.TsRecentStampNanoseconds = now;
            }

            return segment.IsRst
                ? new(TimeWaitVerdict.Discard, "RST ignored in TIME_WAIT (tcp_rfc1337=1)")
                : new(TimeWaitVerdict.Discard, "bare ACK in TIME_WAIT") { RestartTimer = true };
        }

        if (segment.IsSyn && !segment.IsRst && !segment.HasAck && !pawsReject
            && (seq > rcvNxt || (sawTimestamp && unchecked((int)(entry.TsRecent - segment.Options.TsVal)) < 0)))
        {
            var isn = entry.SndNxt + 65535 + 2;
            return new(TimeWaitVerdict.Syn, "new SYN in TIME_WAIT", isn.Value == 0 ? new SeqNum(1) : isn);
        }

        if (segment.IsRst)
        {
            return new(TimeWaitVerdict.Discard, pawsReject ? "PAWS-rejected RST in TIME_WAIT" : "out-of-window RST in TIME_WAIT");
        }

        var outcome = RateLimitedAck(ref entry, segment, now, sysctls, pawsReject ? "PAWS-rejected segment in TIME_WAIT" : "out-of-window segment in TIME_WAIT");
        return outcome with { RestartTimer = pawsReject || segment.HasAck };
    }

    /// <summary>tcp_in_window: seq at the window start, or overlapping it, or a zero-length segment at its end.</summary>
    public static bool InWindow(SeqNum seq, SeqNum endSeq, SeqNum start, SeqNum end)
    {
        if (seq == start)
        {
            return true;
        }

        if (endSeq > start && seq < end)
        {
            return true;
        }

        return seq == end && seq == endSeq;
    }

    /// <summary>tcp_paws_reject: the segment's timestamp is older than ts_recent (RSTs exempt after TCP_PAWS_MSL).</summary>
    private static bool PawsReject(in TimeWaitEntry entry, Segment segment, long now)
    {
        if (unchecked((int)(entry.TsRecent - segment.Options.TsVal)) <= 0 || entry.TsRecent == 0)
        {
            return false;
        }

        return !(segment.IsRst && now - entry.TsRecentStampNanoseconds >= PawsMslNanoseconds);
    }

    /// <summary>tcp_timewait_check_oow_rate_limit: segments using sequence space are always ACKed; others one ACK per tcp_invalid_ratelimit.</summary>
    private static TimeWaitOutcome RateLimitedAck(ref TimeWaitEntry entry, Segment segment, long now, Sysctls sysctls, string reason)
    {
        bool consumesSequenceSpace = segment.SequenceLength != 0 && !segment.IsSyn;
        if (!consumesSequenceSpace && entry.LastOutOfWindowAckNanoseconds != 0)
        {
            long elapsed = now - entry.LastOutOfWindowAckNanoseconds;
            if (elapsed >= 0 && elapsed < sysctls.TcpInvalidRatelimit * 1_000_000L)
            {
                return new(TimeWaitVerdict.Discard, reason + " (ACK rate-limited)");
            }
        }

        if (!consumesSequenceSpace)
        {
            entry.LastOutOfWindowAckNanoseconds = Math.Max(now, 1);
        }

        return new(TimeWaitVerdict.Ack, reason);
    }
}
