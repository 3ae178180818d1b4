using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// ss -i's pacing_rate (and max_pacing_rate after a slash) as iproute2's tcp_stats_print and sprint_bw print them.
/// </summary>
public sealed class SsPacingRateTests
{
    [Theory]
    [InlineData(8_000_000, true, "8000000")]
    [InlineData(86_505_256, true, "86505256")]
    [InlineData(8_000_000, false, "8M")]
    [InlineData(9_920_000, false, "9.92M")]
    [InlineData(86_505_256, false, "86.5M")]
    [InlineData(999_700_000, false, "1e+03M")]
    [InlineData(55_001_000_000, false, "55G")]
    [InlineData(2_300_000_000, false, "2.3G")]
    [InlineData(8_000, false, "8k")]
    [InlineData(3_000_000_000_000, false, "3T")]
    [InlineData(800, false, "800")]
    public void Rates_print_as_sprint_bw_does(double bitsPerSecond, bool numeric, string expected)
    {
        // Proves sprint_bw: -n prints %.0f; otherwise %.3g of T, G, M or k (C's %g: 999.7 rounds to 1e+03), %g below 1000.
        Assert.Equal(expected, SsRateText.Format(bitsPerSecond, numeric));
    }

    [Fact]
    public void Pacing_rate_shows_the_maximum_after_a_slash_only_when_one_is_set()
    {
        // Proves tcp_show_info: tcpi_pacing_rate and tcpi_max_pacing_rate are bytes a second, printed as bits; ~0 (null
        // here) and 0 print nothing; the maximum only beside a rate.
        Assert.Equal("\t reno cwnd:10 pacing_rate 23360000bps", SsInfoText.Format(Socket(pacing: 2_920_000, max: null), numericRates: true));
        Assert.Equal("\t reno cwnd:10 pacing_rate 8Mbps/8Mbps", SsInfoText.Format(Socket(pacing: 1_000_000, max: 1_000_000), numericRates: false));
        Assert.Equal("\t reno cwnd:10", SsInfoText.Format(Socket(pacing: null, max: null), numericRates: true));
        Assert.Equal("\t reno cwnd:10", SsInfoText.Format(Socket(pacing: 0, max: 0), numericRates: true));
    }

    [Fact]
    public void Ss_i_puts_the_info_line_under_each_socket()
    {
        // Proves the layout of `ss -tani`: the header, then each socket's line followed by its tab-led info line.
        string text = SsFormatter.Format([Socket(pacing: 1_000_000, max: 1_000_000)], SsOptions.AllSockets with { ShowInfo = true });
        var lines = text.Split('\n');
        Assert.StartsWith("State", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("ESTAB", lines[1], StringComparison.Ordinal);
        Assert.Equal("\t reno cwnd:10 pacing_rate 8000000bps/8000000bps", lines[2]);
        Assert.Equal(4, lines.Length);
    }

    private static SocketSnapshot Socket(long? pacing, long? max) =>
        new("server", TcpState.Established, 0, 0, new SocketAddress(IPv4Address.Parse("10.0.2.2"), 8080), new SocketAddress(IPv4Address.Parse("10.0.1.2"), 40000), null,
            CongestionWindow: 10, PacingRate: pacing, MaxPacingRate: max,
            Info: new TcpInfo { CongestionControl = "reno", CongestionWindow = 10, PacingRate = pacing ?? 0, MaxPacingRate = max ?? 0 });
}
