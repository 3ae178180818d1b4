namespace TcpActors.Network;

/// <summary>
/// The transport layer of a host (TCP, in Endpoints). The host hands it every packet addressed to the
/// host that passed the INPUT hook and the checksum check: TCP segments and the ICMP errors about them;
/// those that fail the checksum are only reported, with <see cref="ChecksumFailed"/>.
/// </summary>
public interface ITransportProtocol
{
    void Deliver(Packet packet, NetworkInterface arrivedOn);

    /// <summary>
    /// The host discarded a packet addressed to it whose checksum failed (<see cref="Packet.Corrupted"/>),
    /// so that the protocol counts it where Linux does (tcp_v4_rcv: Tcp InSegs, then InCsumErrors).
    /// </summary>
    void ChecksumFailed(Packet packet)
    {
    }
}

/// <summary>What became of a packet a host's own socket sent.</summary>
public enum SendStatus : byte
{
    /// <summary>Handed to the interface (it may still be lost later on the way).</summary>
    Sent,

    /// <summary>No route (ENETUNREACH).</summary>
    NoRoute,

    /// <summary>An OUTPUT or POSTROUTING rule dropped it: a local error (EPERM), not loss on the wire.</summary>
    FilteredLocally,

    /// <summary>The interface or its queue refused it (ENOBUFS): local congestion.</summary>
    QueueFull,
}
