using TcpActors.Runtime;

namespace TcpActors.Network.Tests;

public sealed class LinkTests
{
    [Fact]
    public void A_segment_arrives_after_serialisation_plus_propagation_delay()
    {
        // Proves link timing: 1040-byte IP packet at 8 Mbit/s takes 1.04 ms to send, plus 10 ms of delay.
        var (system, topology, atServer, captures) = TwoHostLab.Create("link", new LinkSettings(Duration.FromMilliseconds(10), BandwidthBitsPerSecond: 8_000_000));
        var segment = Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Ack | TcpFlags.Psh, length: 1000);
        Assert.Equal(1040, segment.IpLength);

        Assert.Equal(SendStatus.Sent, topology["client"].Output(segment));
        system.RunUntilIdle();

        var (at, packet, interfaceName) = Assert.Single(atServer.Delivered);
        Assert.Equal(new SimTime(11_040_000), at);
        Assert.Same(segment, packet);
        Assert.Equal("eth0", interfaceName);
        Assert.Equal(
            [("client", "eth0", CaptureDirection.Out, SimTime.Zero), ("server", "eth0", CaptureDirection.In, new SimTime(11_040_000))],
            captures.Select(c => (c.HostName, c.InterfaceName, c.Direction, c.Time)).ToArray());
    }

    [Fact]
    public void Back_to_back_segments_queue_behind_each_other_and_overflow_drops_the_tail()
    {
        // Proves serialisation queueing and tail drop: with room for 2 waiting packets, the 4th of a burst is dropped.
        var (system, topology, atServer, _) = TwoHostLab.Create("link", new LinkSettings(Duration.Zero, BandwidthBitsPerSecond: 8_000_000, QueueLimitPackets: 2));
        var drops = new List<PacketDropped>();
        system.EventStream.Subscribe<PacketDropped>(drops.Add);
        for (int i = 0; i < 4; i++)
        {
            topology["client"].Output(Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Ack, seq: (uint)(1000 * i), length: 960));
        }

        system.RunUntilIdle();

        Assert.Equal([1_000_000L, 2_000_000L, 3_000_000L], atServer.Delivered.Select(d => d.At.Nanoseconds).ToArray());
        var drop = Assert.Single(drops);
        Assert.Equal(DropReason.LinkQueueFull, drop.Reason);
        Assert.Equal(new SeqNum(3000), ((Segment)drop.Packet).Seq);
        Assert.Equal(1, topology["client"].DroppedCount(DropReason.LinkQueueFull));
    }

    [Fact]
    public void Packets_larger_than_the_mtu_with_DF_are_dropped()
    {
        // Proves the MTU check (DF is set on TCP, so nothing is fragmented).
        var (system, topology, atServer, _) = TwoHostLab.Create("link", new LinkSettings(Duration.Zero, Mtu: 1500));
        topology["client"].Output(Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Ack, length: 1461));
        topology["client"].Output(Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Ack, length: 1460));
        system.RunUntilIdle();
        Assert.Equal(1460, ((Segment)Assert.Single(atServer.Delivered).Packet).PayloadLength);
        Assert.Equal(1, topology["client"].DroppedCount(DropReason.MtuExceeded));
    }

    [Fact]
    public void A_link_that_is_down_drops_everything_until_it_is_up_again()
    {
        // Proves link flapping: down drops (named LinkDown), up restores delivery.
        var (system, topology, atServer, _) = TwoHostLab.Create("link", LinkSettings.Instant);
        var link = Assert.Single(topology.Links);
        link.IsUp = false;
        topology["client"].Output(Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Syn));
        system.RunUntilIdle();
        Assert.Empty(atServer.Delivered);
        Assert.Equal(1, topology["client"].DroppedCount(DropReason.LinkDown));

        link.IsUp = true;
        topology["client"].Output(Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Syn));
        system.RunUntilIdle();
        Assert.Single(atServer.Delivered);
    }

    [Fact]
    public void Loopback_delivers_at_the_same_instant_and_is_captured_once()
    {
        // Proves the seeds' setting: on 127.0.0.1 a packet is seen once (tcpdump -i lo) and arrives with no delay.
        var system = ActorSystem.Create("loopback");
        var topology = new TopologyBuilder(system).AddHost("box", h => h.LoopbackOnly()).Build();
        var transport = new RecordingTransport();
        topology["box"].Transport = transport;
        var captures = new List<PacketCaptured>();
        system.EventStream.Subscribe<PacketCaptured>(captures.Add);
        system.RunFor(Duration.FromSeconds(1));

        topology["box"].Output(Segments.Tcp("127.0.0.1", 50000, "127.0.0.1", 60000, TcpFlags.Syn));
        system.RunUntilIdle();

        Assert.Equal(SimTime.FromSeconds(1), Assert.Single(transport.Delivered).At);
        var capture = Assert.Single(captures);
        Assert.Equal(("lo", CaptureDirection.Out), (capture.InterfaceName, capture.Direction));
    }
}
