using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>The tcpdump and pcap observers attached to an event stream: what they keep, what they write, and that dispose detaches them.</summary>
public sealed class ObserverTests
{
    private static readonly IPv4Address s_client = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address s_server = IPv4Address.Parse("10.0.0.2");

    private static Segment Syn(ushort destinationPort) => CraftedCapture.Tcp(s_client, 34876, s_server, destinationPort, TcpFlags.Syn, 1000, 0, 64240);

    [Fact]
    public void Tcpdump_observer_writes_only_the_host_interface_and_port_it_was_given()
    {
        // Proves the filter: host, interface and `tcp port 8888` select exactly one of four published packets.
        var events = new EventStream();
        var output = new StringWriter();
        using (new TcpdumpObserver(events, output, CaptureFilter.For("client", "eth0", "tcp port 8888")))
        {
            events.Publish(new PacketCaptured(new SimTime(1_000), "client", "eth0", CaptureDirection.Out, Syn(8888)));
            events.Publish(new PacketCaptured(new SimTime(2_000), "server", "eth0", CaptureDirection.In, Syn(8888)));
            events.Publish(new PacketCaptured(new SimTime(3_000), "client", "lo", CaptureDirection.Out, Syn(8888)));
            events.Publish(new PacketCaptured(new SimTime(4_000), "client", "eth0", CaptureDirection.Out, Syn(9999)));
        }

        Assert.Equal("00:00:00.000001 IP 10.0.0.1.34876 > 10.0.0.2.8888: Flags [S], seq 1000, win 64240, length 0\n", output.ToString());
    }

    [Fact]
    public void Disposed_observers_stop_receiving_packets()
    {
        // Proves dispose unsubscribes both observers from the stream.
        var events = new EventStream();
        var output = new StringWriter();
        using var stream = new MemoryStream();
        using var writer = new PcapWriter(stream, leaveOpen: true);
        var tcpdump = new TcpdumpObserver(events, output);
        var pcap = new PcapObserver(events, writer);
        events.Publish(new PacketCaptured(SimTime.Zero, "client", "eth0", CaptureDirection.Out, Syn(80)));
        tcpdump.Dispose();
        pcap.Dispose();
        events.Publish(new PacketCaptured(SimTime.Zero, "client", "eth0", CaptureDirection.Out, Syn(80)));
        Assert.Equal(1, tcpdump.PacketCount);
        Assert.Equal(1, pcap.PacketCount);
        Assert.False(events.Channel<PacketCaptured>().HasSubscribers);
    }

    [Fact]
    public void Pcap_observer_records_what_its_filter_selects()
    {
        // Proves the pcap observer writes the selected packets, readable back with their fields and times.
        var events = new EventStream();
        using var directory = new TemporaryDirectory();
        string path = directory.File("observer.pcap");
        using (PcapObserver.ToFile(events, path, new CaptureFilter { Direction = CaptureDirection.In }))
        {
            events.Publish(new PacketCaptured(new SimTime(5_000_000), "server", "eth0", CaptureDirection.In, Syn(80)));
            events.Publish(new PacketCaptured(new SimTime(6_000_000), "client", "eth0", CaptureDirection.Out, Syn(81)));
        }

        var records = PcapReader.ReadFile(path);
        var record = Assert.Single(records);
        Assert.Equal(5_000_000, record.Time.Nanoseconds);
        Assert.Equal((ushort)80, ((Segment)record.Packet).DestinationPort);
    }

    [Theory]
    [InlineData("tcp port 80", true, false)]
    [InlineData("port 81", false, false)]
    [InlineData("dst port 80", true, false)]
    [InlineData("src port 80", false, false)]
    [InlineData("host 10.0.0.2 and tcp", true, false)]
    [InlineData("src host 10.0.0.2", false, true)]
    [InlineData("icmp", false, true)]
    [InlineData("tcp", true, false)]
    public void Capture_expressions_match_like_pcap_filters(string expression, bool matchesSegment, bool matchesIcmp)
    {
        // Proves the supported pcap-filter primitives; `port` never matches ICMP, even when it quotes that port.
        var filter = CaptureExpression.Parse(expression);
        var segment = Syn(80);
        var icmp = new IcmpPacket { Source = s_server, Destination = s_client, Code = IcmpUnreachableCode.PortUnreachable, Quoted = segment };
        Assert.Equal(matchesSegment, filter.Matches(segment));
        Assert.Equal(matchesIcmp, filter.Matches(icmp));
    }

    [Theory]
    [InlineData("udp port 53")]
    [InlineData("tcp port")]
    [InlineData("port 80 or port 81")]
    [InlineData("host nowhere")]
    [InlineData("port 80 and")]
    public void Unsupported_capture_expressions_fail_with_a_clear_message(string expression)
    {
        // Proves bad filters are rejected with the expression named, never silently ignored.
        var error = Assert.Throws<FormatException>(() => CaptureExpression.Parse(expression));
        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
    }
}
