namespace TcpActors.Network;

/// <summary>Netfilter's hook points, where a host asks its packet filter for a verdict.</summary>
public enum HookPoint : byte
{
    /// <summary>Every arriving packet, before the routing decision.</summary>
    PreRouting,

    /// <summary>Arriving packets addressed to this host (iptables chain INPUT).</summary>
    Input,

    /// <summary>Packets this host routes on to another (iptables chain FORWARD).</summary>
    Forward,

    /// <summary>Packets this host's sockets send (iptables chain OUTPUT).</summary>
    Output,

    /// <summary>Every departing packet, after routing.</summary>
    PostRouting,
}

/// <summary>Where a packet is when a filter looks at it.</summary>
/// <param name="HostName">The host whose filter is asked.</param>
/// <param name="Hook">The hook point.</param>
/// <param name="InInterface">The interface it arrived on (<c>-i</c>), null for locally generated packets.</param>
/// <param name="OutInterface">The interface it will leave by (<c>-o</c>), null for packets delivered locally.</param>
/// <param name="Now">The virtual time.</param>
public readonly record struct HookContext(string HostName, HookPoint Hook, string? InInterface, string? OutInterface, Runtime.SimTime Now);
