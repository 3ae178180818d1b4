using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// The chaos actor: owns every host's firewall and netem queues, applies iptables and tc commands and
/// nemeses (partition, isolate, heal, link flaps) when told or when a timeline says, and publishes what
/// it did. Hosts consult the firewall and queues it installed synchronously, on the simulation's single
/// thread, so a change takes effect for the next packet.
/// <code>
/// var chaos = system.ActorOf(ChaosActor.Props([serverBinding, clientBinding], links), "chaos");
/// chaos.Tell(new StartTimeline([
///     new(Duration.FromSeconds(2), new RunCommand("server", "iptables -A INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP")),
///     new(Duration.FromSeconds(8), new RunCommand("server", "iptables -D INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP")),
/// ]));
/// </code>
/// </summary>
public sealed class ChaosActor : ReceiveActor, IWithTimers
{
    /// <summary>The comment that marks the rules partitions add, so that heal removes them and nothing else.</summary>
    public const string NemesisComment = "tcpactors-nemesis";

    private readonly SortedDictionary<string, ChaosHost> _hosts = new(StringComparer.Ordinal);
    private readonly EventChannel<ChaosCommandApplied> _applied;
    private readonly EventChannel<ChaosCommandRejected> _rejected;
    private ILinkControl? _links;

    public ChaosActor(IEnumerable<ChaosHostBinding> hosts, ILinkControl? links)
    {
        _applied = Context.System.EventStream.Channel<ChaosCommandApplied>();
        _rejected = Context.System.EventStream.Channel<ChaosCommandRejected>();
        _links = links;
        foreach (var binding in hosts)
        {
            Register(binding);
        }

        Receive<ChaosAction>(Run);
        Receive<StartTimeline>(Start);
        Receive<FlapStep>(Flap);
        Receive<RegisterChaosHost>(message => Register(message.Binding));
        Receive<RegisterLinkControl>(message => _links = message.Links);
        Receive<GetFirewall>(Reply);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The recipe for a chaos actor with <paramref name="hosts"/> registered and, optionally, control over links.</summary>
    public static Props Props(IEnumerable<ChaosHostBinding> hosts, ILinkControl? links = null)
    {
        var bindings = hosts.ToList();
        return Runtime.Props.Create(() => new ChaosActor(bindings, links));
    }

    private void Register(ChaosHostBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (_hosts.ContainsKey(binding.HostName))
        {
            throw new InvalidOperationException($"chaos: host '{binding.HostName}' is registered twice");
        }

        _hosts.Add(binding.HostName, new ChaosHost(binding, Context.System));
    }

    private void Start(StartTimeline timeline)
    {
        foreach (var entry in timeline.Entries)
        {
            // Scheduled in list order, so entries with the same offset run in list order too.
            Context.ScheduleTellOnce(entry.At, Self, entry.Action, null);
        }
    }

    private void Run(ChaosAction action)
    {
        var (hostName, result) = action switch
        {
            RunCommand run => Execute(run.HostName, () => ChaosCommandParser.Parse(run.CommandLine, ResolveHost)),
            ApplyCommand apply => Execute(apply.HostName, () => apply.Command),
            Partition partition => (null, Cut(partition.GroupA, partition.GroupB)),
            Isolate isolate => (isolate.HostName, Cut([isolate.HostName], [.. _hosts.Keys.Where(h => h != isolate.HostName)])),
            Heal => (null, HealAll()),
            SetLinkState link => (null, SetLink(link.LinkName, link.Up)),
            FlapLink flap => (null, StartFlap(flap)),
            _ => (null, CommandResult.Failure($"chaos: unknown action {action}")),
        };
        Report(action, hostName, result);
    }

    /// <summary>Runs a command on a host; the host named in events is the one it ran on (the only host when none was named).</summary>
    private (string? HostName, CommandResult Result) Execute(string? hostName, Func<ChaosCommand> command)
    {
        if (!TryFindHost(hostName, out var host, out string? problem))
        {
            return (hostName, CommandResult.Failure(problem));
        }

        try
        {
            return (host.Name, host.Apply(command(), NameOf));
        }
        catch (ChaosParseException error)
        {
            return (host.Name, CommandResult.Failure($"{error.Message} (at column {error.Column})"));
        }
    }

    private bool TryFindHost(string? hostName, out ChaosHost host, out string problem)
    {
        problem = "";
        if (hostName is null && _hosts.Count == 1)
        {
            host = _hosts.Values.First();
            return true;
        }

        if (hostName is not null && _hosts.TryGetValue(hostName, out host!))
        {
            return true;
        }

        host = null!;
        string known = string.Join(", ", _hosts.Keys);
        problem = hostName is null
            ? $"chaos: name the host the command is for (this simulation has {_hosts.Count}: {known})"
            : $"chaos: unknown host {InputText.Quote(hostName)} (expected one of: {known})";
        return false;
    }

    private CommandResult Cut(IReadOnlyList<string> groupA, IReadOnlyList<string> groupB)
    {
        var unknown = groupA.Concat(groupB).FirstOrDefault(h => !_hosts.ContainsKey(h));
        if (unknown is not null)
        {
            return CommandResult.Failure($"chaos: unknown host {InputText.Quote(unknown)} (expected one of: {string.Join(", ", _hosts.Keys)})");
        }

        var both = groupA.Intersect(groupB, StringComparer.Ordinal).FirstOrDefault();
        if (both is not null)
        {
            return CommandResult.Failure($"chaos: host {InputText.Quote(both)} is on both sides of the partition");
        }

        Nemesis.DropFrom(groupA.Select(h => _hosts[h]), groupB.Select(h => _hosts[h]));
        Nemesis.DropFrom(groupB.Select(h => _hosts[h]), groupA.Select(h => _hosts[h]));
        return CommandResult.Success();
    }

    private CommandResult HealAll()
    {
        foreach (var host in _hosts.Values)
        {
            host.Firewall.RemoveRulesWithComment(NemesisComment);
        }

        return CommandResult.Success();
    }

    private CommandResult SetLink(string linkName, bool up)
    {
        if (_links is null)
        {
            return CommandResult.Failure("chaos: no link control was registered (the simulation provides ILinkControl)");
        }

        try
        {
            _links.SetUp(linkName, up);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            return CommandResult.Failure("chaos: " + InputText.OneLine(error.Message));
        }

        return CommandResult.Success();
    }

    private CommandResult StartFlap(FlapLink flap)
    {
        if (flap.Cycles < 1 || flap.DownFor <= Duration.Zero || flap.UpFor < Duration.Zero)
        {
            return CommandResult.Failure("chaos: a flap needs at least one cycle, a positive down time and a non-negative up time");
        }

        var result = SetLink(flap.LinkName, up: false);
        if (result.Succeeded)
        {
            Timers.StartSingleTimer(("flap", flap.LinkName), new FlapStep(flap, CyclesLeft: flap.Cycles, GoingUp: true), flap.DownFor);
        }

        return result;
    }

    /// <summary>One edge of a flap: bring the link up (then, if cycles remain, take it down again after the up time) or take it down.</summary>
    private void Flap(FlapStep step)
    {
        var flap = step.Flap;
        Report(new SetLinkState(flap.LinkName, step.GoingUp), null, SetLink(flap.LinkName, step.GoingUp));
        if (step.GoingUp && step.CyclesLeft > 1)
        {
            Timers.StartSingleTimer(("flap", flap.LinkName), step with { GoingUp = false, CyclesLeft = step.CyclesLeft - 1 }, flap.UpFor);
        }
        else if (!step.GoingUp)
        {
            Timers.StartSingleTimer(("flap", flap.LinkName), step with { GoingUp = true }, flap.DownFor);
        }
    }

    private void Reply(GetFirewall query)
    {
        if (TryFindHost(query.HostName, out var host, out string problem))
        {
            Sender?.Tell(host.Firewall.Snapshot(), Self);
        }
        else
        {
            Sender?.Tell(new ChaosActionFailed(new RunCommand(query.HostName, "iptables -L"), problem), Self);
        }
    }

    private void Report(ChaosAction action, string? hostName, CommandResult result)
    {
        var now = Context.Now;
        if (result.Succeeded)
        {
            if (_applied.HasSubscribers)
            {
                _applied.Publish(new ChaosCommandApplied(now, hostName, action.Describe(), result.Text));
            }

            Sender?.Tell(new ChaosActionCompleted(action, result.Text), Self);
            return;
        }

        if (_rejected.HasSubscribers)
        {
            _rejected.Publish(new ChaosCommandRejected(now, hostName, action.Describe(), result.Text));
        }

        Sender?.Tell(new ChaosActionFailed(action, result.Text), Self);
    }

    /// <summary>iptables resolves <c>-s NAME</c> through DNS; here a host name means that host's first address.</summary>
    private IPv4Address? ResolveHost(string name) =>
        _hosts.TryGetValue(name, out var host) && host.Binding.Addresses.Count > 0 ? host.Binding.Addresses[0] : null;

    /// <summary>Listings without <c>-n</c> show a host's name for its addresses, as reverse DNS would.</summary>
    private string? NameOf(IPv4Address address) =>
        _hosts.Values.FirstOrDefault(h => h.Binding.Addresses.Contains(address))?.Name;

    private sealed record FlapStep(FlapLink Flap, int CyclesLeft, bool GoingUp);
}
