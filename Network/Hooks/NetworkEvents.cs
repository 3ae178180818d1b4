namespace TcpActors.Network;

/// <summary>Which way a packet crossed an interface, as tcpdump sees it.</summary>
public enum CaptureDirection : byte
{
    /// <summary>Leaving the host (seen after the egress qdisc, when handed to the link).</summary>
    Out,

    /// <summary>Arriving at the host (seen before PREROUTING and INPUT, so INPUT drops still show).</summary>
    In,
}

/// <summary>
/// A packet seen on an interface: the event a tcpdump or pcap observer records. Published only when
/// somebody subscribes. On loopback each packet is seen once (Out), as <c>tcpdump -i lo</c> shows it.
/// </summary>
public sealed record PacketCaptured(Runtime.SimTime Time, string HostName, string InterfaceName, CaptureDirection Direction, Packet Packet);

/// <summary>A packet discarded somewhere, with the reason, where, and the rule or detail.</summary>
public sealed record PacketDropped(Runtime.SimTime Time, string HostName, DropReason Reason, string? Detail, Packet Packet);
