using TcpActors.Runtime;

namespace TcpActors.Network.Tests;

/// <summary>GSO super-segments on interfaces and links: checked per segment, split only where the device cannot take them.</summary>
public sealed class GsoTests
{
    private static Segment SuperSegment() =>
        Segments.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, seq: 1000, length: 5520) with { GsoSize = 1448, IpId = 7 };

    [Fact]
    public void Splitting_gives_gso_size_pieces_with_psh_and_fin_on_the_last_only()
    {
        var pieces = GsoSegmentation.Split(SuperSegment());
        Assert.Equal(
            [(1000u, 1448, TcpFlags.Ack, (ushort)7), (2448u, 1448, TcpFlags.Ack, (ushort)8), (3896u, 1448, TcpFlags.Ack, (ushort)9), (5344u, 1176, TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, (ushort)10)],
            pieces.Select(p => (p.Seq.Value, p.PayloadLength, p.Flags, p.IpId)).ToArray());
        Assert.All(pieces, p => Assert.Equal(0, p.GsoSize));
        Assert.Equal(4, SuperSegment().GsoSegs);
    }

    [Fact]
    public void Gso_size_holds_any_u16_mss_and_refuses_more()
    {
        // The field is 16 bits, as the kernel's gso_size: every MSS fits, a larger value is an error rather than a wrap.
        Assert.Equal(65535, (SuperSegment() with { GsoSize = 65535 }).GsoSize);
        Assert.Throws<OverflowException>(() => SuperSegment() with { GsoSize = 65536 });
        Assert.Equal(SuperSegment(), SuperSegment() with { GsoSize = 1448 });
    }

    [Fact]
    public void A_gso_interface_sends_the_super_segment_whole_and_the_link_checks_the_mtu_per_segment()
    {
        var (system, topology, atServer, captures) = TwoHostLab.Create("gso", new LinkSettings(Duration.Zero, Mtu: 1500) { GsoMaxSegs = 65535 });
        topology["client"].Output(SuperSegment());
        topology["client"].Output(SuperSegment() with { GsoSize = 1461 });
        system.RunUntilIdle();
        var delivered = (Segment)Assert.Single(atServer.Delivered).Packet;
        Assert.Equal((5520, 1448), (delivered.PayloadLength, delivered.GsoSize));
        Assert.Equal(1, topology["client"].DroppedCount(DropReason.MtuExceeded));
        Assert.Equal(2, captures.Count(c => c.HostName == "client"));
    }

    [Fact]
    public void Interfaces_start_with_gso_on_as_veth_and_lo_do()
    {
        // Proves the defaults against `ip -d link show` on Linux 6.18 in a fresh namespace: a veth and lo both have
        // gso_max_size 65536 and gso_max_segs 65535, and lo an MTU of 65536.
        var (system, topology, atServer, _) = TwoHostLab.Create("gso", LinkSettings.Instant);
        var client = topology["client"];
        Assert.All(client.Interfaces, i => Assert.Equal((65536, 65535), (i.GsoMaxSize, i.GsoMaxSegs)));
        Assert.Equal(65536, client.Loopback.Mtu);
        client.Output(SuperSegment());
        system.RunUntilIdle();
        Assert.Equal(4, ((Segment)Assert.Single(atServer.Delivered).Packet).GsoSegs);
    }

    [Fact]
    public void An_interface_with_gso_max_segs_1_splits_the_super_segment_before_the_capture()
    {
        var (system, topology, atServer, captures) = TwoHostLab.Create("gso", new LinkSettings(Duration.Zero) { GsoMaxSegs = 1 });
        topology["client"].Output(SuperSegment());
        system.RunUntilIdle();
        Assert.Equal([1448, 1448, 1448, 1176], atServer.Delivered.Select(d => ((Segment)d.Packet).PayloadLength).ToArray());
        Assert.Equal(4, captures.Count(c => c.HostName == "client"));
    }
}
