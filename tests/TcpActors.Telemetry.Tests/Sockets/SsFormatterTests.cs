using TcpActors.Endpoints;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// ss output compared byte for byte (trailing spaces included) with what ss 6.1.0 printed on this machine
/// for the reference namespace; the files are Reference/ss-*.txt, captured by scenario.py.
/// </summary>
public sealed class SsFormatterTests
{
    [Fact]
    public void Ss_tan_matches_the_real_output()
    {
        // Proves column widths, alignment and padding of `ss -tan`, including the 1001 Recv-Q of CLOSE-WAIT.
        Assert.Equal(ReferenceSockets.Expected("ss-tan.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), SsOptions.AllSockets));
    }

    [Fact]
    public void Ss_tan_o_matches_the_real_output_including_the_unmeasured_last_timer()
    {
        // Proves the timer column and ss's quirk: the last socket's timer does not widen the Process column.
        Assert.Equal(ReferenceSockets.Expected("ss-tan-o.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), SsOptions.AllSocketsWithTimers));
        Assert.Equal(ReferenceSockets.Expected("ss-tan-o.retrans.txt"), SsFormatter.Format(ReferenceSockets.Retransmitting(), SsOptions.AllSocketsWithTimers));
    }

    [Fact]
    public void Ss_tn_hides_listeners_and_time_wait()
    {
        // Proves the default state set of `ss -t` without -a (ss.c SS_CONN).
        Assert.Equal(ReferenceSockets.Expected("ss-tn.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), new SsOptions()));
    }

    [Fact]
    public void Ss_tln_shows_listeners_with_narrower_columns()
    {
        // Proves widths follow content: "Peer Address:PortProcess" has no space when every peer port is short.
        Assert.Equal(ReferenceSockets.Expected("ss-tln.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), new SsOptions { Listening = true }));
    }

    [Fact]
    public void Single_state_filter_drops_the_state_column()
    {
        // Proves `ss -tan state time-wait` (and with -o) as ss printed them.
        var timeWait = new SsOptions { States = SsStateFilter.Parse("time-wait") };
        Assert.Equal(ReferenceSockets.Expected("ss-tan-state-time-wait.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), timeWait));
        Assert.Equal(ReferenceSockets.Expected("ss-tano-state-time-wait.closewait.txt"), SsFormatter.Format(ReferenceSockets.CloseWait(), timeWait with { ShowTimers = true }));
    }

    [Fact]
    public void State_connected_includes_time_wait_but_not_listeners()
    {
        // Proves the `connected` group: everything but LISTEN and UNCONN.
        var connected = new SsOptions { States = SsStateFilter.Parse("connected"), ShowTimers = true };
        Assert.Equal(ReferenceSockets.Expected("ss-tano-state-connected.retrans.txt"), SsFormatter.Format(ReferenceSockets.Retransmitting(retransmissionRemainingMilliseconds: 60), connected));
    }

    [Theory]
    [InlineData(59_650, "59sec")]
    [InlineData(90_000, "1min30sec")]
    [InlineData(90_500, "1min30sec")]
    [InlineData(200, "200ms")]
    [InlineData(60, "060ms")]
    [InlineData(9_501, "9.501ms")]
    [InlineData(7_199_800, "119min")]
    [InlineData(600_000, "10min")]
    [InlineData(0, "")]
    public void Timer_times_follow_print_ms_timer(long milliseconds, string expected)
    {
        // Proves ss's unit rules: minutes hide milliseconds, 10 minutes hide seconds, 10 seconds hide milliseconds.
        Assert.Equal(expected, SsTimerText.FormatMilliseconds(milliseconds));
    }

    [Fact]
    public void Newer_iproute2_spelling_ends_seconds_with_sec()
    {
        // Proves the optional spelling of later iproute2 releases for times between 1 and 10 seconds.
        Assert.Equal("9.501sec", SsTimerText.FormatMilliseconds(9_501, SsTimerStyle.Iproute2SecondsSuffix));
        Assert.Equal("501ms", SsTimerText.FormatMilliseconds(501, SsTimerStyle.Iproute2SecondsSuffix));
    }

    [Fact]
    public void Expired_timer_prints_an_empty_time_as_ss_does()
    {
        // Proves `timer:(timewait,,0)`, seen on this machine for a FIN-WAIT-2 socket about to expire.
        Assert.Equal("timer:(timewait,,0)", SsTimerText.Format(new SocketTimer(SocketTimerKind.TimeWait, Duration.FromMicroseconds(400), 0)));
    }

    [Fact]
    public void State_names_parse_like_ss()
    {
        // Proves the state words and groups of ss's state filter.
        Assert.Equal(SsStates.TimeWait | SsStates.FinWait2, SsStateFilter.Parse("time-wait fin-wait-2"));
        Assert.True(SsStates.Synchronized.Contains(TcpState.TimeWait));
        Assert.False(SsStates.Synchronized.Contains(TcpState.SynSent));
        Assert.Throws<FormatException>(() => SsStateFilter.Parse("time_wait"));
    }
}
