namespace TcpActors.Network;

/// <summary>
/// Builds the answers a host gives in place of a packet it refuses: the TCP reset that both
/// iptables' REJECT --reject-with tcp-reset (<c>nf_send_reset</c>) and a TCP stack with no socket
/// (<c>tcp_v4_send_reset</c>) send, and ICMP destination-unreachable messages.
/// </summary>
public static class RejectReplies
{
    /// <summary>
    /// The reset answering <paramref name="offending"/>, or null for a reset (an RST is never answered
    /// with an RST, RFC 9293 3.10.7.1). If the offending segment carried an ACK, the reset takes its
    /// sequence number from that ACK and carries no ACK itself; otherwise it has sequence 0 and
    /// acknowledges everything the segment occupied (SYN and FIN count one each).
    /// </summary>
    public static Segment? TcpResetFor(Segment offending, byte ttl = 64)
    {
        ArgumentNullException.ThrowIfNull(offending);
        if (offending.IsRst)
        {
            return null;
        }

        return offending.HasAck
            ? new Segment
            {
                Source = offending.Destination,
                Destination = offending.Source,
                SourcePort = offending.DestinationPort,
                DestinationPort = offending.SourcePort,
                Seq = offending.Ack,
                Flags = TcpFlags.Rst,
                Ttl = ttl,
            }
            : new Segment
            {
                Source = offending.Destination,
                Destination = offending.Source,
                SourcePort = offending.DestinationPort,
                DestinationPort = offending.SourcePort,
                Seq = new SeqNum(0),
                Ack = offending.Seq + offending.SequenceLength,
                Flags = TcpFlags.Rst | TcpFlags.Ack,
                Ttl = ttl,
            };
    }

    /// <summary>The reply iptables' REJECT sends for <paramref name="packet"/> at <paramref name="host"/>, or null if none is due.</summary>
    public static Packet? For(Packet packet, RejectWith rejectWith, Host host, NetworkInterface? arrivedOn)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(host);
        if (packet is not Segment segment)
        {
            return null;
        }

        if (rejectWith == RejectWith.TcpReset)
        {
            return TcpResetFor(segment, (byte)host.Sysctls.IpDefaultTtl);
        }

        // ICMP errors come from this host: the original destination when it is ours, else the
        // address of the interface the packet came in on (a router's FORWARD reject).
        var source = host.IsLocalAddress(segment.Destination)
            ? segment.Destination
            : arrivedOn is { Addresses.Count: > 0 } ? arrivedOn.Addresses[0] : host.PrimaryAddress;
        return new IcmpPacket
        {
            Source = source,
            Destination = segment.Source,
            Code = CodeOf(rejectWith),
            Quoted = segment,
            DontFragment = false,
            Ttl = (byte)host.Sysctls.IpDefaultTtl,
        };
    }

    private static IcmpUnreachableCode CodeOf(RejectWith rejectWith) => rejectWith switch
    {
        RejectWith.IcmpNetUnreachable => IcmpUnreachableCode.NetUnreachable,
        RejectWith.IcmpHostUnreachable => IcmpUnreachableCode.HostUnreachable,
        RejectWith.IcmpProtocolUnreachable => IcmpUnreachableCode.ProtocolUnreachable,
        RejectWith.IcmpNetProhibited => IcmpUnreachableCode.NetProhibited,
        RejectWith.IcmpHostProhibited => IcmpUnreachableCode.HostProhibited,
        RejectWith.IcmpAdminProhibited => IcmpUnreachableCode.AdministrativelyProhibited,
        _ => IcmpUnreachableCode.PortUnreachable,
    };
}
