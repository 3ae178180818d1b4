using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// How the simulation hands a host to the chaos actor, so that the Host never depends on Chaos: the
/// host's name and addresses, its interfaces, and two setters the chaos actor calls to install (or, with
/// null, remove) the host's packet filter and an interface's egress queueing discipline.
/// </summary>
/// <param name="HostName">The host's unique name (what timelines and commands name).</param>
/// <param name="Addresses">The host's addresses (partitions drop packets from them; <c>-s NAME</c> resolves to the first).</param>
/// <param name="InterfaceNames">The host's interfaces (what <c>tc qdisc ... dev IF</c> may name).</param>
/// <param name="SetFilter">Installs the host's iptables filter (called once, at registration).</param>
/// <param name="SetQueueDiscipline">Installs netem on an interface's egress, or removes it with null.</param>
public sealed record ChaosHostBinding(
    string HostName,
    IReadOnlyList<IPv4Address> Addresses,
    IReadOnlyList<string> InterfaceNames,
    Action<IPacketFilter?> SetFilter,
    Action<string, IQueueDiscipline?> SetQueueDiscipline);

/// <summary>Links the simulation lets the chaos actor take down and bring up (to flap them); provided by the simulation.</summary>
public interface ILinkControl
{
    /// <summary>
    /// Takes the link down (packets on it are lost, with DropReason.LinkDown) or brings it back up; throws
    /// <see cref="InvalidOperationException"/> (or <see cref="ArgumentException"/>) when no link has that name,
    /// which the chaos actor reports as a rejected command.
    /// </summary>
    void SetUp(string linkName, bool up);
}

/// <summary>Registers a host with the chaos actor: it installs the host's firewall at once.</summary>
public sealed record RegisterChaosHost(ChaosHostBinding Binding);

/// <summary>Gives the chaos actor control over links, for <see cref="SetLinkState"/> and <see cref="FlapLink"/>.</summary>
public sealed record RegisterLinkControl(ILinkControl Links);

/// <summary>
/// Something the chaos actor can do, now or at a point of a timeline. When one is sent with a sender, the
/// actor replies <see cref="ChaosActionCompleted"/> or <see cref="ChaosActionFailed"/>; either way it
/// publishes <see cref="ChaosCommandApplied"/> or <see cref="ChaosCommandRejected"/>.
/// </summary>
public abstract record ChaosAction
{
    private protected ChaosAction()
    {
    }

    /// <summary>How events describe the action.</summary>
    public abstract string Describe();
}

/// <summary>An iptables or tc command line for one host (null: the only host of a one-host simulation).</summary>
public sealed record RunCommand(string? HostName, string CommandLine) : ChaosAction
{
    public override string Describe() => CommandLine;
}

/// <summary>An already parsed command (from <see cref="ChaosCommandParser"/>) for one host; <paramref name="Text"/> is how events show it.</summary>
public sealed record ApplyCommand(string? HostName, ChaosCommand Command, string Text) : ChaosAction
{
    public override string Describe() => Text;
}

/// <summary>
/// Cuts every host of <paramref name="GroupA"/> off from every host of <paramref name="GroupB"/>, both ways, as
/// Jepsen does: each host gets INPUT rules dropping packets from the other group's addresses (inserted
/// first and tagged with a comment, so <see cref="Heal"/> removes exactly them).
/// </summary>
public sealed record Partition(IReadOnlyList<string> GroupA, IReadOnlyList<string> GroupB) : ChaosAction
{
    public override string Describe() => $"partition [{string.Join(", ", GroupA)}] from [{string.Join(", ", GroupB)}]";
}

/// <summary>Cuts one host off from every other registered host.</summary>
public sealed record Isolate(string HostName) : ChaosAction
{
    public override string Describe() => $"isolate {HostName}";
}

/// <summary>Removes every partition and isolation (and only those: rules the user added stay).</summary>
public sealed record Heal : ChaosAction
{
    public static Heal Instance { get; } = new();

    public override string Describe() => "heal";
}

/// <summary>Takes a link down or brings it up.</summary>
public sealed record SetLinkState(string LinkName, bool Up) : ChaosAction
{
    public override string Describe() => $"link {LinkName} {(Up ? "up" : "down")}";
}

/// <summary>Takes a link down for <paramref name="DownFor"/>, up for <paramref name="UpFor"/>, <paramref name="Cycles"/> times (it ends up).</summary>
public sealed record FlapLink(string LinkName, Duration DownFor, Duration UpFor, int Cycles) : ChaosAction
{
    public override string Describe() => $"flap {LinkName} down {DownFor} up {UpFor} x{Cycles}";
}

/// <summary>One step of a chaos timeline: <paramref name="Action"/> at <paramref name="At"/> after the timeline starts.</summary>
public sealed record ChaosTimelineEntry(Duration At, ChaosAction Action);

/// <summary>Starts a timeline: each entry runs at its offset from now, in virtual time; entries with equal offsets run in list order.</summary>
public sealed record StartTimeline(IReadOnlyList<ChaosTimelineEntry> Entries);

/// <summary>Asks for a host's firewall; the reply is a <see cref="FirewallSnapshot"/>.</summary>
public sealed record GetFirewall(string? HostName);

/// <summary>The reply to an action sent with a sender: it was applied; <paramref name="Output"/> is what it printed.</summary>
public sealed record ChaosActionCompleted(ChaosAction Action, string Output);

/// <summary>The reply to an action sent with a sender: it could not be applied, for the reason given.</summary>
public sealed record ChaosActionFailed(ChaosAction Action, string Message);
