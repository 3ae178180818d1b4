using System.Text;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// What tcpdump prints after <c>ICMP </c> for a destination unreachable (print-icmp.c): the quoted
/// datagram's destination and, for port unreachable, its protocol and port; the codes without their own
/// case come from tcpdump's unreach2str table.
/// </summary>
internal static class IcmpText
{
    public static void Append(StringBuilder text, IcmpPacket icmp)
    {
        var destination = icmp.Quoted.Destination;
        text.Append(icmp.Code switch
        {
            IcmpUnreachableCode.NetUnreachable => $"net {destination} unreachable",
            IcmpUnreachableCode.HostUnreachable => $"host {destination} unreachable",
            IcmpUnreachableCode.ProtocolUnreachable => $"{destination} protocol {PacketEncoder.ProtocolTcp} unreachable",
            IcmpUnreachableCode.PortUnreachable => $"{destination} tcp port {icmp.Quoted.DestinationPort} unreachable",
            IcmpUnreachableCode.NetProhibited => $"net {destination} unreachable - admin prohibited",
            IcmpUnreachableCode.HostProhibited => $"host {destination} unreachable - admin prohibited",
            IcmpUnreachableCode.AdministrativelyProhibited => $"host {destination} unreachable - admin prohibited filter",
            _ => $"#{(byte)icmp.Code} {destination} unreachable",
        });
    }
}
