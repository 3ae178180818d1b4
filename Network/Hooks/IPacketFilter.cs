namespace TcpActors.Network;

/// <summary>What a filter decided.</summary>
public enum FilterAction : byte
{
    Accept,
    Drop,

    /// <summary>Drop and answer: an ICMP error or a TCP reset, per <see cref="FilterVerdict.RejectWith"/>.</summary>
    Reject,
}

/// <summary>iptables' <c>--reject-with</c> choices (the default is icmp-port-unreachable).</summary>
public enum RejectWith : byte
{
    IcmpPortUnreachable,
    IcmpNetUnreachable,
    IcmpHostUnreachable,
    IcmpProtocolUnreachable,
    IcmpNetProhibited,
    IcmpHostProhibited,
    IcmpAdminProhibited,
    TcpReset,
}

/// <summary>A filter's verdict on one packet; <see cref="Rule"/> names the rule that decided, for counters and traces.</summary>
public readonly record struct FilterVerdict(FilterAction Action, RejectWith RejectWith = RejectWith.IcmpPortUnreachable, string? Rule = null)
{
    public static FilterVerdict Accept { get; } = new(FilterAction.Accept);
}

/// <summary>
/// A host's packet filter (iptables, implemented by Chaos). Hosts call it synchronously at each hook
/// point; a host without one accepts everything. Implementations count matches and publish verdicts.
/// </summary>
public interface IPacketFilter
{
    FilterVerdict Filter(Packet packet, in HookContext context);
}
