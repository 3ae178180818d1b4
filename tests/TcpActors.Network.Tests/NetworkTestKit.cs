using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Network.Tests;

/// <summary>A transport that records what a host delivers to it.</summary>
internal sealed class RecordingTransport : ITransportProtocol
{
    public List<(SimTime At, Packet Packet, string Interface)> Delivered { get; } = [];

    public Host? Host { get; set; }

    public void Deliver(Packet packet, NetworkInterface arrivedOn) => Delivered.Add((arrivedOn.Host.Now, packet, arrivedOn.Name));
}

/// <summary>Two hosts, client 10.0.0.1 and server 10.0.0.2, on one link; what the server's IP layer delivers and every capture are recorded.</summary>
internal static class TwoHostLab
{
    public static (ActorSystem System, Topology Topology, RecordingTransport AtServer, List<PacketCaptured> Captures) Create(string name, LinkSettings settings)
    {
        var system = ActorSystem.Create(name);
        var topology = new TopologyBuilder(system)
            .AddHost("client", h => h.Address("10.0.0.1/24"))
            .AddHost("server", h => h.Address("10.0.0.2/24"))
            .Connect("client", "server", settings)
            .Build();
        var atServer = new RecordingTransport();
        topology["server"].Transport = atServer;
        var captures = new List<PacketCaptured>();
        system.EventStream.Subscribe<PacketCaptured>(captures.Add);
        return (system, topology, atServer, captures);
    }
}

/// <summary>A filter driven by a function, recording every hook it was asked at.</summary>
internal sealed class FunctionFilter(Func<Packet, HookContext, FilterVerdict> decide) : IPacketFilter
{
    public List<HookContext> Asked { get; } = [];

    public FilterVerdict Filter(Packet packet, in HookContext context)
    {
        Asked.Add(context);
        return decide(packet, context);
    }
}

internal static class Segments
{
    public static Segment Tcp(string from, ushort fromPort, string to, ushort toPort, TcpFlags flags, uint seq = 1000, uint ack = 0, int length = 0) => new()
    {
        Source = IPv4Address.Parse(from),
        Destination = IPv4Address.Parse(to),
        SourcePort = fromPort,
        DestinationPort = toPort,
        Flags = flags,
        Seq = new SeqNum(seq),
        Ack = new SeqNum(ack),
        PayloadLength = length,
        Window = 64240,
    };
}
