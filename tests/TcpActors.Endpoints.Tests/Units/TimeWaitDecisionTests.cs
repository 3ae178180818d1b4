using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>
/// Every row of ../shared/LINUX-TCP.md section E (tcp_timewait_state_process) against the pure decision
/// function: the verdict, whether the 60 s restart, and what the entry remembers.
/// </summary>
public sealed class TimeWaitDecisionTests
{
    private const uint R = 1_000_000;
    private const uint SndNxt = 5_000_000;
    private const uint TsRecent = 100_000;
    private const long Now = 10_000_000_000;

    [Fact]
    public void Rst_at_r_kills_time_wait_when_rfc1337_is_off()
    {
        // Proves row 1 (TIME_WAIT assassination): an RST with seq == R ends the timewait, no reply.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Rst, R));
        Assert.Equal(TimeWaitVerdict.Kill, outcome.Verdict);
    }

    [Fact]
    public void Rst_at_r_is_ignored_with_rfc1337_and_does_not_restart_the_timer()
    {
        // Proves row 1 with tcp_rfc1337 = 1: the RST is dropped and the 60 s keep running (14-rfc1337-1).
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Rst, R), new Sysctls { TcpRfc1337 = 1 });
        Assert.Equal(TimeWaitVerdict.Discard, outcome.Verdict);
        Assert.False(outcome.RestartTimer);
    }

    [Fact]
    public void Rst_elsewhere_or_paws_rejected_is_dropped_silently()
    {
        // Proves row 2: an RST off R, or one whose timestamp is older than ts_recent, changes nothing.
        var entry = TimeWait();
        var offR = Decide(ref entry, Segment(TcpFlags.Rst, R + 1000));
        var old = Decide(ref entry, Segment(TcpFlags.Rst, R, tsVal: TsRecent - 5));
        Assert.Equal((TimeWaitVerdict.Discard, false), (offR.Verdict, offR.RestartTimer));
        Assert.Equal((TimeWaitVerdict.Discard, false), (old.Verdict, old.RestartTimer));
    }

    [Fact]
    public void Bare_ack_at_r_is_absorbed_restarts_the_timer_and_records_its_timestamp()
    {
        // Proves row 3: a bare ACK with seq == R is taken silently, restarts 60 s and updates ts_recent.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Ack, R, tsVal: TsRecent + 7));
        Assert.Equal((TimeWaitVerdict.Discard, true), (outcome.Verdict, outcome.RestartTimer));
        Assert.Equal(TsRecent + 7, entry.TsRecent);
        Assert.Equal(Now, entry.TsRecentStampNanoseconds);
    }

    [Fact]
    public void Retransmitted_fin_is_acked_every_time_and_restarts_the_timer()
    {
        // Proves row 4 (seed 000): a FIN at R - 1 is ACKed, twice in a row (it uses sequence space, so the
        // out-of-window ACK is not rate-limited), and each restarts the 60 s.
        var entry = TimeWait();
        var first = Decide(ref entry, Segment(TcpFlags.Fin | TcpFlags.Ack, R - 1));
        var second = Decide(ref entry, Segment(TcpFlags.Fin | TcpFlags.Ack, R - 1), now: Now + 1);
        Assert.Equal((TimeWaitVerdict.Ack, true), (first.Verdict, first.RestartTimer));
        Assert.Equal((TimeWaitVerdict.Ack, true), (second.Verdict, second.RestartTimer));
    }

    [Fact]
    public void Data_is_always_acked_and_restarts_the_timer_only_with_the_ack_flag()
    {
        // Proves row 5: data at any sequence number is discarded and ACKed (never rate-limited); the timer
        // restarts when the segment carries ACK.
        var entry = TimeWait();
        var withAck = Decide(ref entry, Segment(TcpFlags.Psh | TcpFlags.Ack, R + 10, length: 100));
        var withoutAck = Decide(ref entry, Segment(TcpFlags.Psh, R + 10, length: 100), now: Now + 1);
        Assert.Equal((TimeWaitVerdict.Ack, true), (withAck.Verdict, withAck.RestartTimer));
        Assert.Equal((TimeWaitVerdict.Ack, false), (withoutAck.Verdict, withoutAck.RestartTimer));
    }

    [Fact]
    public void Bare_ack_off_r_is_acked_at_most_once_per_invalid_ratelimit_and_restarts_the_timer()
    {
        // Proves row 6: an old or out-of-window bare ACK is answered, but only one per tcp_invalid_ratelimit (500 ms).
        var entry = TimeWait();
        var first = Decide(ref entry, Segment(TcpFlags.Ack, R - 500));
        var within = Decide(ref entry, Segment(TcpFlags.Ack, R - 500), now: Now + 499_000_000);
        var after = Decide(ref entry, Segment(TcpFlags.Ack, R - 500), now: Now + 500_000_000);
        Assert.Equal((TimeWaitVerdict.Ack, true), (first.Verdict, first.RestartTimer));
        Assert.Equal((TimeWaitVerdict.Discard, true), (within.Verdict, within.RestartTimer));
        Assert.Equal(TimeWaitVerdict.Ack, after.Verdict);
    }

    [Fact]
    public void Syn_above_r_reopens_with_isn_old_snd_nxt_plus_65537()
    {
        // Proves row 7 (15-syn-in-time-wait): a SYN with seq > R is TCP_TW_SYN with ISN = tw_snd_nxt + 65535 + 2.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn, R + 1));
        Assert.Equal(TimeWaitVerdict.Syn, outcome.Verdict);
        Assert.Equal(new SeqNum(SndNxt + 65537), outcome.NewIsn);
    }

    [Fact]
    public void Syn_with_a_low_sequence_number_but_a_newer_timestamp_also_reopens()
    {
        // Proves row 7's second condition: seq <= R is accepted when the SYN's timestamp is newer than ts_recent.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn, R - 100, tsVal: TsRecent + 1));
        Assert.Equal(TimeWaitVerdict.Syn, outcome.Verdict);
    }

    [Fact]
    public void Reopening_isn_that_wraps_to_zero_becomes_one()
    {
        // Proves the "0 becomes 1" rule of the reopening ISN.
        var entry = TimeWait();
        entry.SndNxt = new SeqNum(unchecked(0u - 65537u));
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn, R + 1));
        Assert.Equal(new SeqNum(1), outcome.NewIsn);
    }

    [Fact]
    public void Old_syn_gets_a_challenge_ack_and_does_not_restart_the_timer()
    {
        // Proves row 8: a SYN at or below R without a newer timestamp is answered with a rate-limited ACK,
        // and the timer is left alone (it could be a fresh SYN with a random low ISN).
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn, R - 100, tsVal: TsRecent));
        Assert.Equal((TimeWaitVerdict.Ack, false), (outcome.Verdict, outcome.RestartTimer));
    }

    [Fact]
    public void Syn_ack_is_acked_and_restarts_the_timer()
    {
        // Proves row 9: a SYN-ACK (or any other ACK-bearing out-of-window segment) is ACKed and restarts 60 s.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn | TcpFlags.Ack, R + 1));
        Assert.Equal((TimeWaitVerdict.Ack, true), (outcome.Verdict, outcome.RestartTimer));
    }

    [Fact]
    public void Paws_rejected_segment_is_acked_rate_limited_and_restarts_the_timer()
    {
        // Proves row 10: a non-RST segment with an old timestamp gets an out-of-window ACK (rate-limited) and
        // restarts the timer even without the ACK flag... and a SYN so rejected cannot reopen.
        var entry = TimeWait();
        var outcome = Decide(ref entry, Segment(TcpFlags.Syn, R + 1, tsVal: TsRecent - 1));
        Assert.Equal((TimeWaitVerdict.Ack, true), (outcome.Verdict, outcome.RestartTimer));
    }

    [Fact]
    public void Fin_wait2_acks_out_of_window_and_paws_rejected_segments_without_changing_state()
    {
        // Proves FIN_WAIT2 row 1: beyond [R, R + window] or PAWS-rejected → rate-limited ACK, still FIN_WAIT2.
        var entry = FinWait2();
        var outside = Decide(ref entry, Segment(TcpFlags.Ack, R + 70_000, length: 10));
        var rejected = Decide(ref entry, Segment(TcpFlags.Fin | TcpFlags.Ack, R, tsVal: TsRecent - 1), now: Now + 1);
        var duplicate = Decide(ref entry, Segment(TcpFlags.Ack, R - 10, length: 10), now: Now + 2); // ends at R: before the window
        Assert.Equal(TimeWaitVerdict.Ack, outside.Verdict);
        Assert.Equal(TimeWaitVerdict.Ack, duplicate.Verdict);
        Assert.Equal(TimeWaitVerdict.Ack, rejected.Verdict);
        Assert.Equal(TimeWaitSubstate.FinWait2, entry.Substate);
    }

    [Fact]
    public void Fin_wait2_is_killed_by_an_in_window_rst()
    {
        // Proves FIN_WAIT2 row 2: an RST in the window ends it without a reply.
        var entry = FinWait2();
        Assert.Equal(TimeWaitVerdict.Kill, Decide(ref entry, Segment(TcpFlags.Rst, R + 5)).Verdict);
    }

    [Fact]
    public void Fin_wait2_answers_a_new_syn_with_a_reset()
    {
        // Proves FIN_WAIT2 row 3: a SYN with seq >= R is answered with RST and the timewait is killed.
        var entry = FinWait2();
        Assert.Equal(TimeWaitVerdict.Reset, Decide(ref entry, Segment(TcpFlags.Syn, R)).Verdict);
    }

    [Theory]
    [InlineData(TcpFlags.Psh, 0u, 10)]     // no ACK flag
    [InlineData(TcpFlags.Ack, 0u, 0)]      // nothing new, zero length
    public void Fin_wait2_drops_duplicates_and_segments_without_ack(TcpFlags flags, uint offset, int length)
    {
        // Proves FIN_WAIT2 row 4: no ACK flag, nothing new, or zero length → dropped silently.
        var entry = FinWait2();
        Assert.Equal(TimeWaitVerdict.Discard, Decide(ref entry, Segment(flags, unchecked(R + offset), length: length)).Verdict);
    }

    [Theory]
    [InlineData(TcpFlags.Psh | TcpFlags.Ack, 10)]
    [InlineData(TcpFlags.Fin | TcpFlags.Ack, 10)]
    public void Fin_wait2_resets_new_data_after_half_duplex_close(TcpFlags flags, int length)
    {
        // Proves FIN_WAIT2 row 5 (16-data-to-closed): new data, with or without a FIN, gets RST.
        var entry = FinWait2();
        Assert.Equal(TimeWaitVerdict.Reset, Decide(ref entry, Segment(flags, R, length: length)).Verdict);
    }

    [Fact]
    public void Fin_at_r_turns_fin_wait2_into_time_wait_and_is_acked()
    {
        // Proves FIN_WAIT2 row 6: a bare FIN at R makes a true TIME-WAIT with R + 1, restarts 60 s, ACKs.
        var entry = FinWait2();
        var outcome = Decide(ref entry, Segment(TcpFlags.Fin | TcpFlags.Ack, R, tsVal: TsRecent + 3));
        Assert.Equal((TimeWaitVerdict.Ack, true), (outcome.Verdict, outcome.RestartTimer));
        Assert.Equal(TimeWaitSubstate.TimeWait, entry.Substate);
        Assert.Equal(new SeqNum(R + 1), entry.RcvNxt);
        Assert.Equal(TsRecent + 3, entry.TsRecent);
    }

    [Theory]
    [InlineData(1000u, 1010u, 1000u, 2000u, true)]   // starts at the window start
    [InlineData(990u, 1010u, 1000u, 2000u, true)]    // overlaps it
    [InlineData(2000u, 2000u, 1000u, 2000u, true)]   // zero length exactly at the end
    [InlineData(2000u, 2010u, 1000u, 2000u, false)]  // starts at the end with data
    [InlineData(900u, 1000u, 1000u, 2000u, false)]   // ends where the window starts
    public void In_window_test_follows_tcp_in_window(uint seq, uint end, uint start, uint windowEnd, bool expected)
    {
        // Proves tcp_in_window's three acceptance cases.
        Assert.Equal(expected, TimeWaitDecision.InWindow(new SeqNum(seq), new SeqNum(end), new SeqNum(start), new SeqNum(windowEnd)));
    }

    private static TimeWaitOutcome Decide(ref TimeWaitEntry entry, Segment segment, Sysctls? sysctls = null, long now = Now) =>
        TimeWaitDecision.Process(ref entry, segment, now, sysctls ?? new Sysctls());

    private static TimeWaitEntry TimeWait() => new()
    {
        Substate = TimeWaitSubstate.TimeWait,
        HasTimestamps = true,
        RcvNxt = new SeqNum(R),
        SndNxt = new SeqNum(SndNxt),
        ReceiveWindow = 64_000,
        TsRecent = TsRecent,
        TsRecentStampNanoseconds = Now - 1_000_000_000,
        EnteredNanoseconds = Now - 1_000_000_000,
        DeadlineNanoseconds = Now + 59_000_000_000,
    };

    private static TimeWaitEntry FinWait2() => TimeWait() with { Substate = TimeWaitSubstate.FinWait2 };

    private static Segment Segment(TcpFlags flags, uint seq, int length = 0, uint? tsVal = null) => new()
    {
        Source = IPv4Address.Parse("10.0.2.2"),
        Destination = IPv4Address.Parse("10.0.1.2"),
        SourcePort = 8080,
        DestinationPort = 40000,
        Seq = new SeqNum(seq),
        Ack = new SeqNum(SndNxt),
        Flags = flags,
        Window = 64,
        PayloadLength = length,
        Options = TcpOptions.Timestamps(tsVal ?? TsRecent, 1),
    };
}
