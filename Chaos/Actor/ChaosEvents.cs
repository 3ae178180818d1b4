using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// A firewall rule (or a chain policy other than ACCEPT) decided a packet's fate at a hook point.
/// Published on the EventStream when somebody subscribes; packets that simply fall through to an
/// ACCEPT policy are not reported (nothing happened to them). Drops and rejects are also published as
/// Network's <see cref="PacketDropped"/> with <see cref="DropReason.FilterRule"/>.
/// </summary>
/// <param name="RuleNumber">The rule's 1-based place in the chain, or 0 when the chain's policy decided.</param>
/// <param name="Rule">The rule as <c>iptables -S</c> prints it, or <c>-P CHAIN POLICY</c> for the policy.</param>
public sealed record PacketFiltered(
    SimTime Time,
    string HostName,
    HookPoint Hook,
    FirewallChain Chain,
    int RuleNumber,
    string Rule,
    FilterAction Action,
    RejectWith? RejectWith,
    Packet Packet);

/// <summary>What netem did with a packet.</summary>
public enum NetemOutcome : byte
{
    /// <summary>Queued to leave after <see cref="PacketImpaired.Delay"/> (latency, jitter and serialisation at the rate).</summary>
    Delayed,

    /// <summary>Sent at once, ahead of the queue (netem's reorder: the packets queued behind are overtaken).</summary>
    Reordered,

    /// <summary>Lost by the loss model (random, correlated, 4-state or Gilbert-Elliott).</summary>
    Lost,

    /// <summary>Dropped because the queue held its limit of packets.</summary>
    QueueFull,
}

/// <summary>
/// netem handled a packet on an interface's egress. One event per copy: a duplicated packet yields two,
/// the second with <see cref="Duplicate"/> set. Published only when somebody subscribes and something
/// happened (a delay above zero, reordering, loss, duplication or corruption).
/// </summary>
/// <param name="Delay">How long the copy waits before it leaves (zero unless <see cref="Outcome"/> is <see cref="NetemOutcome.Delayed"/>).</param>
/// <param name="Duplicate">This copy is the duplicate netem made.</param>
/// <param name="Corrupted">netem flipped a bit: the receiver's checksum check will fail.</param>
public sealed record PacketImpaired(
    SimTime Time,
    string HostName,
    string InterfaceName,
    Packet Packet,
    NetemOutcome Outcome,
    Duration Delay,
    bool Duplicate,
    bool Corrupted);

/// <summary>The chaos actor applied a command (an iptables or tc line, or a nemesis step) to a host.</summary>
/// <param name="HostName">The host, or null for a nemesis that spans hosts.</param>
/// <param name="Command">The command as written (a nemesis is described in words).</param>
/// <param name="Output">What the command printed (the listing of <c>iptables -L</c>), usually empty.</param>
public sealed record ChaosCommandApplied(SimTime Time, string? HostName, string Command, string Output);

/// <summary>The chaos actor could not apply a command; <paramref name="Message"/> says why, as iptables or tc would.</summary>
public sealed record ChaosCommandRejected(SimTime Time, string? HostName, string Command, string Message);
