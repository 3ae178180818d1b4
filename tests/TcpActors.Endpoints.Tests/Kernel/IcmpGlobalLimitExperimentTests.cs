using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 41: the host-wide ICMP error limit (icmp_global_allow, icmp_global_consume): a burst of errors to as
/// many addresses (none reaching its own per-destination limit) stops after about icmp_msgs_burst (50) errors,
/// because each error that leaves consumes a random 0, 1 or 2 credits. The count is random on the kernel as in the
/// simulator (whose draws come from the run's seed), so the recording is compared by its counts, not segment by
/// segment: the kernel's two bursts must fall within what the simulator gives over many seeds.
/// </summary>
public sealed class IcmpGlobalLimitExperimentTests
{
    [Fact]
    public void A_burst_of_errors_to_many_addresses_stops_near_the_global_credit()
    {
        // Proves against tests/reference/kernel/41-icmp-global-limit.txt: 100 SYNs from 100 addresses within 10 ms, twice
        // a second apart, to a port the server REJECTs: the kernel answered 42 and 57 of them here (other runs: 42 and
        // 44, 46 and 48), never all and never exactly 50. With seed 1 the simulator answers 41 and 53; over 200 seeds
        // its counts spread as the kernel's do, from the 30s to the 60s around a mean of 50.7 (the first k errors
        // whose 0..2 draws sum to 50).
        var kernel = KernelReference.Load("41-icmp-global-limit.txt").Wire("wire").Where(r => r.Icmp is not null).ToList();
        var kernelCounts = (kernel.Count(r => r.Time < 500_000_000), kernel.Count(r => r.Time >= 500_000_000));

        Assert.Equal((41, 53), Bursts(seed: 1));
        var simulated = Enumerable.Range(1, 200).Select(seed => Bursts((ulong)seed)).SelectMany(c => new[] { c.First, c.Second }).ToList();
        Assert.InRange(simulated.Average(), 49.5, 52.0);
        Assert.InRange(kernelCounts.Item1, simulated.Min(), simulated.Max());
        Assert.InRange(kernelCounts.Item2, simulated.Min(), simulated.Max());
        Assert.True(simulated.Distinct().Count() > 10, "the credit each error consumes is drawn, so the counts vary with the seed");
    }

    [Fact]
    public void No_rate_limited_error_leaves_when_icmp_msgs_per_sec_is_zero()
    {
        // Proves icmp_global_allow's refill: with net.ipv4.icmp_msgs_per_sec 0 the credit never grows (incr 0), so not
        // even the first error of a burst leaves; icmp_msgs_burst 0 caps every refill at nothing, but the refill itself
        // still lets one error through each 20 ms (icmp_global_allow returns true after refilling).
        Assert.Equal((0, 0), Bursts(seed: 1, "net.ipv4.icmp_msgs_per_sec=0"));
        Assert.Equal((1, 1), Bursts(seed: 1, "net.ipv4.icmp_msgs_burst=0"));
    }

    private static (int First, int Second) Bursts(ulong seed, params string[] serverSysctls)
    {
        var lab = Lab.Routed(server: serverSysctls, seed: seed);
        lab.At(0.5, () => lab.AddRule(lab.Server, new DropRule(HookPoint.Input, "INPUT -p tcp --dport 8080 -j REJECT --reject-with icmp-port-unreachable")));
        for (int burst = 0; burst < 2; burst++)
        {
            for (int i = 0; i < 100; i++)
            {
                string source = $"10.0.1.{10 + i}:{40000 + burst}";
                lab.At(1.0 + burst + (i * 0.0001), () => lab.SendRaw(lab.Client, source, "10.0.2.2:8080", TcpFlags.Syn, 1000, window: 64240));
            }
        }

        lab.RunUntil(3.0);
        var errors = lab.ServerWire.Segments.Where(s => s.Record.Icmp is not null).ToList();
        return (errors.Count(s => s.At < 1_500_000_000), errors.Count(s => s.At >= 1_500_000_000));
    }
}
