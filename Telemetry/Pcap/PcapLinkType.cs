namespace TcpActors.Telemetry;

/// <summary>The link-layer header types the pcap writer can produce (values from the tcpdump.org LINKTYPE_ registry).</summary>
public enum PcapLinkType : uint
{
    /// <summary>DLT_EN10MB: a synthetic 14-byte Ethernet header before each IPv4 packet.</summary>
    Ethernet = 1,

    /// <summary>LINKTYPE_RAW: each record starts directly with the IPv4 header. The default.</summary>
    Raw = 101,
}
