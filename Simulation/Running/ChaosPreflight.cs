using TcpActors.Chaos;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Runs a scenario's chaos timeline on its network with nothing else, before the run itself, so that a command
/// iptables or tc would refuse (a device the host does not have, deleting a rule or a qdisc that is not there,
/// an insertion index past the chain's end) is bad input at the line that wrote it rather than a REJECTED line
/// in an otherwise meaningless run. What the rule tables and queues hold depends only on the timeline, never on
/// the traffic, so the dry run finds exactly the commands the real run would reject.
/// </summary>
internal static class ChaosPreflight
{
    public static void Check(Scenario scenario, ulong seed)
    {
        if (scenario.Chaos.Count == 0 && !scenario.Links.Any(l => l.Netem is not null))
        {
            return;
        }

        var system = ActorSystem.Create("preflight", seed);
        var topology = ScenarioRunner.BuildTopology(system, scenario);
        var rejected = new List<ChaosCommandRejected>();
        using var subscription = system.EventStream.Subscribe<ChaosCommandRejected>(rejected.Add);
        var timeline = ScenarioRunner.StartChaos(system, topology, scenario);
        var last = timeline.Max(t => t.Entry.At);
        system.RunUntil(SimTime.Zero + last);
        if (rejected.Count == 0)
        {
            return;
        }

        var first = rejected[0];
        var where = timeline.Where(t => SimTime.Zero + t.Entry.At == first.Time && t.Entry.Action.Describe() == first.Command)
            .Select(t => t.Where).DefaultIfEmpty(SourceSpan.None).First();
        string host = first.HostName is null ? "" : $" on {first.HostName}";
        throw new ScenarioException(where, $"{first.Message} ('{first.Command}' at {first.Time} s{host} would be refused)");
    }
}
