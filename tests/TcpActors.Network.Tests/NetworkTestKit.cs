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
