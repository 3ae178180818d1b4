namespace TcpActors.Telemetry.Tests;

/// <summary>
/// Our pcap of the crafted packet set, read back by the real tcpdump: every line tcpdump prints must equal
/// our formatter's line for the same packet, under each option. This checks the writer (tcpdump decodes it)
/// and the formatter (same text) against tcpdump on cases the live captures cannot easily produce.
/// </summary>
public sealed class CraftedCaptureTcpdumpTests
{
    public static TheoryData<string, TcpdumpTimestampFormat, bool, bool> Options => new()
    {
        { "", TcpdumpTimestampFormat.TimeOfDay, false, false },
        { "-S", TcpdumpTimestampFormat.TimeOfDay, true, false },
        { "-v", TcpdumpTimestampFormat.TimeOfDay, false, true },
        { "-ttt", TcpdumpTimestampFormat.SincePrevious, false, false },
        { "-ttttt", TcpdumpTimestampFormat.SinceFirst, false, false },
        { "-tttt", TcpdumpTimestampFormat.DateAndTime, false, false },
        { "-tt", TcpdumpTimestampFormat.EpochSeconds, false, false },
    };

    [RequiresToolsTheory("tcpdump")]
    [MemberData(nameof(Options))]
    public void Tcpdump_prints_our_pcap_exactly_as_our_formatter(string option, TcpdumpTimestampFormat timestamps, bool absolute, bool verbose)
    {
        // Proves formatter and writer agree with tcpdump for option layouts, flags, SACK, wrap-around, reuse, HTTP, ICMP codes, -v checksums and long gaps.
        using var directory = new TemporaryDirectory();
        var epoch = new DateTimeOffset(2025, 12, 31, 23, 59, 58, TimeSpan.Zero);
        var packets = CraftedCapture.Build();
        string path = CraftedCapture.WritePcap(directory, packets, epoch: epoch);
        string[] expected = option.Length == 0 ? ExternalTool.TcpdumpRead(path) : ExternalTool.TcpdumpRead(path, option);

        var formatter = new TcpdumpFormatter(new TcpdumpOptions { Epoch = epoch, Timestamps = timestamps, AbsoluteSequenceNumbers = absolute, Verbose = verbose });
        string[] actual = [.. packets.SelectMany(entry => formatter.Format(entry.Time, entry.Packet).Split('\n'))];
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        Assert.Equal(expected.Length, actual.Length);
    }

    [RequiresToolsFact("tcpdump")]
    public void Ethernet_framing_prints_the_same_lines_as_raw_framing()
    {
        // Proves the synthetic Ethernet header is well formed: tcpdump decodes both link types to the same text.
        using var directory = new TemporaryDirectory();
        var packets = CraftedCapture.Build();
        var raw = ExternalTool.TcpdumpRead(CraftedCapture.WritePcap(directory, packets, PcapLinkType.Raw));
        var ethernet = ExternalTool.TcpdumpRead(CraftedCapture.WritePcap(directory, packets, PcapLinkType.Ethernet));
        Assert.Equal(raw, ethernet);
        Assert.Equal(packets.Count, raw.Length);
    }
}
