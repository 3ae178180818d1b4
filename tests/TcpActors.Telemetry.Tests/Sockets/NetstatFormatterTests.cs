namespace TcpActors.Telemetry.Tests;

/// <summary>netstat output compared with what net-tools netstat printed on this machine (Reference/netstat-*.txt).</summary>
public sealed class NetstatFormatterTests
{
    [Fact]
    public void Netstat_tan_matches_the_real_output()
    {
        // Proves the seed posts' format: fixed columns, right-aligned queues, states padded to 11.
        Assert.Equal(ReferenceSockets.Expected("netstat-tan.closewait.txt"), NetstatFormatter.Format(ReferenceSockets.CloseWait()));
    }

    [Fact]
    public void Netstat_nt_leaves_out_listeners()
    {
        // Proves the "(w/o servers)" listing of netstat without -a.
        Assert.Equal(ReferenceSockets.Expected("netstat-nt.closewait.txt"), NetstatFormatter.Format(ReferenceSockets.CloseWait(), new NetstatOptions()));
    }

    [Fact]
    public void Netstat_tano_prints_timers_in_hundredths_of_a_second()
    {
        // Proves `netstat -tano`: off, on, timewait and keepalive timers with (seconds/retransmits/probes).
        Assert.Equal(ReferenceSockets.Expected("netstat-tano.retrans.txt"), NetstatFormatter.Format(ReferenceSockets.Retransmitting(retransmissionRemainingMilliseconds: 60), new NetstatOptions { All = true, ShowTimers = true }));
    }
}
