using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Simulation;

/// <summary>
/// Runs a scenario: builds its network with TCP on every host, starts its applications, chaos timeline
/// and probes, captures packets on the capture host as tcpdump would, runs in virtual time within the
/// limits, then checks the expectations. The same scenario and seed give the same report, byte for byte.
/// </summary>
public static class ScenarioRunner
{
    public static RunReport Run(Scenario scenario, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        options ??= RunOptions.Default;
        ulong seed = options.Seed ?? scenario.Seed;
        if (scenario.Workload is { } workload)
        {
            return RunWorkload(scenario, workload with { Seed = seed }, options);
        }

        ChaosPreflight.Check(scenario, seed);
        var system = ActorSystem.Create("tcpactors", seed);
        system.Limits = options.Limits;
        var topology = BuildTopology(system, scenario);
        var capture = CaptureFilterFor(scenario, topology);
        var traceText = new StringWriter { NewLine = "\n" };
        using var tcpdump = new TcpdumpObserver(system.EventStream, traceText, capture, options.Tcpdump);
        using var pcap = options.PcapPath is null ? null : PcapObserver.ToFile(system.EventStream, options.PcapPath, capture, PcapLinkType.Raw, options.Tcpdump.Epoch);
        var segments = new SegmentRecorder(system.EventStream, capture, keepLines: scenario.Expectations.OfType<TraceExpectation>().Any());
        var chaosLog = ChaosLog(system);
        var calls = new List<CallRecord>();
        var probes = new ProbeSchedule(system, topology, scenario);
        StartChaos(system, topology, scenario);
        foreach (var application in scenario.Applications)
        {
            var tcp = Tcp.ManagerOf(topology[application.Host]);
            system.ActorOf(Props.Create(() => new ScriptedApplication(application, tcp, calls)), "app-" + application.Name);
        }

        options.Attach?.Invoke(system);
        using var observer = options.Observe?.Invoke(topology);
        if (options.WallClock is { } clock)
        {
            system.EnablePacing(clock, options.Speed);
        }

        var result = RunToEnd(system, scenario, options);
        tcpdump.Flush();
        pcap?.Flush();
        var results = ExpectationChecker.Check(scenario, topology, calls, segments, probes.StateResults, segments.Lines);
        return new RunReport
        {
            Scenario = scenario,
            Seed = seed,
            Run = result,
            Trace = traceText.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Segments = [.. segments.Segments.Select(s => s.Segment)],
            Calls = [.. calls.OrderBy(c => c.Returned).ThenBy(c => c.Application, StringComparer.Ordinal)],
            Snapshots = probes.Snapshots,
            Results = results,
            ChaosLog = chaosLog,
            CaptureDescription = Describe(capture, scenario),
        };
    }

    private static RunReport RunWorkload(Scenario scenario, LoadSettings workload, RunOptions options)
    {
        CaptureFilter? capture = null;
        IDisposable? Observe(Topology topology)
        {
            var observers = new CompositeDisposable();
            observers.Add(options.Observe?.Invoke(topology));
            if (options.PcapPath is { } path)
            {
                // A load run's pcap is what tcpdump on one machine records: the capture's host, else the first client.
                capture = CaptureFilterFor(scenario, topology, topology.Hosts.First(h => h.Name.StartsWith("client-", StringComparison.Ordinal)).Name);
                observers.Add(PcapObserver.ToFile(topology.System.EventStream, path, capture, PcapLinkType.Raw, options.Tcpdump.Epoch));
            }

            return observers;
        }

        var load = LoadRunner.Run(workload, attach: options.Attach, pacing: options.WallClock, speed: options.Speed, observe: Observe);
        return new RunReport
        {
            Scenario = scenario,
            Seed = workload.Seed,
            Run = load.Run,
            Trace = [],
            Calls = [],
            Snapshots = [],
            Results = scenario.Expectations.OfType<LoadExpectation>().Select(e => e.Check(load)).ToList(),
            ChaosLog = [],
            CaptureDescription = capture is null ? "no capture (load run)" : "pcap of " + Describe(capture, scenario),
            Load = load,
        };
    }

    private static RunResult RunToEnd(ActorSystem system, Scenario scenario, RunOptions options)
    {
        if (scenario.Duration is { } duration)
        {
            return system.RunUntil(SimTime.Zero + duration);
        }

        // Without a duration: run until idle, but no longer than the default (keepalive timers never idle). The clock
        // stays at the last event's time, which is when the run went idle (not the default's end).
        var result = system.RunUntil(() => system.PendingEvents == 0, options.DefaultDuration);
        return result.Reason == StopReason.ConditionMet
            ? result with { Reason = StopReason.Idle, Message = $"idle at simulated time {system.Now} s" }
            : result;
    }

    internal static Topology BuildTopology(ActorSystem system, Scenario scenario)
    {
        var builder = new TopologyBuilder(system).AddModule(Tcp.Module);
        foreach (var host in scenario.Hosts)
        {
            Refused(host.At, () => builder.AddHost(host.Name, options =>
            {
                foreach (var address in host.Addresses)
                {
                    options.Address(address);
                }

                if (host.LoopbackOnly || (host.Addresses.Count == 0 && !scenario.Links.Any(l => l.HostA == host.Name || l.HostB == host.Name)))
                {
                    options.LoopbackOnly();
                }

                if (host.Forwarding)
                {
                    options.Sysctl("net.ipv4.ip_forward", "1");
                }

                foreach (var (name, value, _) in host.Sysctls)
                {
                    options.Sysctl(name, value);
                }
            }));
        }

        foreach (var link in scenario.Links)
        {
            Refused(link.At, () => builder.Connect(link.HostA, link.HostB, link.Settings));
        }

        return Refused(scenario.Hosts.Count > 0 ? scenario.Hosts[0].At : SourceSpan.None, builder.Build);
    }

    /// <summary>A declaration the topology builder refuses (the loader checks what it can first) is bad input at <paramref name="at"/>.</summary>
    private static T Refused<T>(SourceSpan at, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (TopologyException error)
        {
            throw new ScenarioException(at, error.Message);
        }
    }

    /// <summary>Where and when the capture listened, as the report's header names it: host (interface), filter, window.</summary>
    private static string Describe(CaptureFilter capture, Scenario scenario) =>
        capture.HostName + (capture.InterfaceName is null ? " (all interfaces)" : $" ({capture.InterfaceName})")
        + (capture.Expression is null ? "" : $", {scenario.Capture.Filter}")
        + (capture.From is { } start ? $", from {start} s" : "")
        + (capture.Until is { } stop ? $", until {stop} s" : "");

    private static CaptureFilter CaptureFilterFor(Scenario scenario, Topology topology, string? defaultHost = null)
    {
        string host = scenario.Capture.Host ?? defaultHost ?? topology.Hosts[0].Name;
        string? interfaceName = scenario.Capture.Interface is "any" ? null : scenario.Capture.Interface;
        if (interfaceName is not null && topology[host].FindInterface(interfaceName) is null)
        {
            // tcpdump -i eth9 on a machine without it: "eth9: No such device exists"; -i any listens on all.
            string names = string.Join(", ", topology[host].Interfaces.Select(i => i.Name));
            throw new ScenarioException(scenario.Capture.InterfaceAt, $"{host} has no interface {InputText.Quote(interfaceName)} (it has {names}; 'any' captures on all)");
        }

        return CaptureFilter.For(host, interfaceName, scenario.Capture.Filter) with
        {
            From = scenario.Capture.From is { } from ? SimTime.Zero + from : null,
            Until = scenario.Capture.To is { } to ? SimTime.Zero + to : null,
        };
    }

    /// <summary>Starts the chaos actor on the scenario's timeline: each link's netem at 0, then the chaos steps; returns the timeline with where each entry was declared.</summary>
    internal static List<(ChaosTimelineEntry Entry, SourceSpan Where)> StartChaos(ActorSystem system, Topology topology, Scenario scenario)
    {
        var bindings = topology.Hosts.Select(host => new ChaosHostBinding(
            host.Name,
            host.Addresses.Where(a => !a.IsLoopback).DefaultIfEmpty(IPv4Address.Loopback).ToList(),
            host.Interfaces.Select(i => i.Name).ToList(),
            filter => host.Filter = filter,
            (name, discipline) => host.FindInterface(name)!.QueueDiscipline = discipline)).ToList();
        var chaos = system.ActorOf(ChaosActor.Props(bindings, new TopologyLinks(topology)), "chaos");
        var timeline = new List<(ChaosTimelineEntry Entry, SourceSpan Where)>();
        foreach (var link in scenario.Links.Where(l => l.Netem is not null))
        {
            var linkObject = topology.FindLink(link.HostA, link.HostB)!;
            timeline.Add((new ChaosTimelineEntry(Duration.Zero, new RunCommand(link.HostA, $"tc qdisc add dev {linkObject.A.Name} root netem {link.Netem}")), link.At));
            timeline.Add((new ChaosTimelineEntry(Duration.Zero, new RunCommand(link.HostB, $"tc qdisc add dev {linkObject.B.Name} root netem {link.Netem}")), link.At));
        }

        timeline.AddRange(scenario.Chaos.Select(step => (new ChaosTimelineEntry(step.At, ActionOf(step)), step.Where)));
        if (timeline.Count > 0)
        {
            chaos.Tell(new StartTimeline([.. timeline.Select(t => t.Entry)]));
        }

        return timeline;
    }

    private static ChaosAction ActionOf(ChaosStep step)
    {
        switch (step.Kind)
        {
            case "iptables" or "tc":
                return new ApplyCommand(step.Host, ChaosLines.ParseOrThrow(step), step.Command);
            case "partition":
                var (a, b) = ChaosLines.Groups(step);
                return new Partition(a, b);
            case "isolate":
                return new Isolate(step.Command.Trim());
            case "heal":
                return Heal.Instance;
            default:
                return new SetLinkState(step.Command.Trim(), step.Kind == "link-up");
        }
    }

    private static List<string> ChaosLog(ActorSystem system)
    {
        var log = new List<string>();
        system.EventStream.Subscribe<ChaosCommandApplied>(e =>
        {
            log.Add($"t={e.Time} {(e.HostName is null ? "" : e.HostName + ": ")}{e.Command}");

            // What a listing (iptables -L/-S, tc qdisc show) printed, indented under its command.
            foreach (var line in e.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Add("  " + line.TrimEnd('\r'));
            }
        });
        system.EventStream.Subscribe<ChaosCommandRejected>(e => log.Add($"t={e.Time} {(e.HostName is null ? "" : e.HostName + ": ")}{e.Command} REJECTED: {e.Message}"));
        return log;
    }

    /// <summary>Links by the names chaos steps use (<see cref="LinkNames"/>): the two host names, "a b", "a-b" or "a<->b".</summary>
    private sealed class TopologyLinks(Topology topology) : ILinkControl
    {
        public void SetUp(string linkName, bool up)
        {
            var hosts = LinkNames.Resolve(linkName, (a, b) => topology.FindLink(a, b) is not null)
                ?? throw new InvalidOperationException($"no link {InputText.Quote(linkName)} (name a link by its two hosts, as in 'client server')");
            topology.FindLink(hosts.A, hosts.B)!.IsUp = up;
        }
    }
}
