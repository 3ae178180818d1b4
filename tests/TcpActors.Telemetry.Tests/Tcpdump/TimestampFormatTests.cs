using TcpActors.Network;
using static TcpActors.Telemetry.Tests.Packets;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// Each tcpdump timestamp option, compared with the prefixes tcpdump 4.99.3 printed for the same two packets
/// of the reference capture (Reference/loopback-session.tcpdump-t*.txt, lines 1-2 and 44-45).
/// </summary>
public sealed class TimestampFormatTests
{
    [Theory]
    [InlineData(TcpdumpTimestampFormat.TimeOfDay, "10:14:19.181554 ", "10:14:19.181565 ", "10:14:22.328837 ")]
    [InlineData(TcpdumpTimestampFormat.None, "", "", "")]
    [InlineData(TcpdumpTimestampFormat.EpochSeconds, "1795256059.181554 ", "1795256059.181565 ", "1795256062.328837 ")]
    [InlineData(TcpdumpTimestampFormat.SincePrevious, " 00:00:00.000000 ", " 00:00:00.000011 ", " 00:00:03.147272 ")]
    [InlineData(TcpdumpTimestampFormat.DateAndTime, "2026-11-21 10:14:19.181554 ", "2026-11-21 10:14:19.181565 ", "2026-11-21 10:14:22.328837 ")]
    [InlineData(TcpdumpTimestampFormat.SinceFirst, " 00:00:00.000000 ", " 00:00:00.000011 ", " 00:00:03.147283 ")]
    public void Timestamp_prefix_matches_tcpdump(TcpdumpTimestampFormat format, string first, string second, string third)
    {
        // Proves the prefix of each -t option, including the sign column of the relative formats.
        var formatter = new TcpdumpFormatter(new TcpdumpOptions { Epoch = CaptureDay, Timestamps = format });
        var segment = Tcp(51032, 8888, TcpFlags.Syn, 2432546463, 0, 65495);
        Assert.StartsWith(first + "IP ", formatter.Format(At(10, 14, 19, 181554), segment), StringComparison.Ordinal);
        Assert.StartsWith(second + "IP ", formatter.Format(At(10, 14, 19, 181565), segment), StringComparison.Ordinal);
        Assert.StartsWith(third + "IP ", formatter.Format(At(10, 14, 22, 328837), segment), StringComparison.Ordinal);
    }

    [Fact]
    public void Default_epoch_starts_the_run_at_midnight_1970()
    {
        // Proves simulated time zero prints as 00:00:00.000000 and -tt as 0.000000 without an epoch.
        var segment = Tcp(1, 2, TcpFlags.Syn, 1, 0, 100);
        Assert.StartsWith("00:00:00.000000 IP", new TcpdumpFormatter().Format(Runtime.SimTime.Zero, segment), StringComparison.Ordinal);
        var epochSeconds = new TcpdumpFormatter(new TcpdumpOptions { Timestamps = TcpdumpTimestampFormat.EpochSeconds });
        Assert.StartsWith("7.000001 IP", epochSeconds.Format(new Runtime.SimTime(7_000_001_999), segment), StringComparison.Ordinal);
    }
}
