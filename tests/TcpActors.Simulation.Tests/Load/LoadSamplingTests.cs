using System.Text.Json;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Simulation.Tests.Load;

public sealed class LoadSamplingTests
{
    /// <summary>Slow links and slow servers, so that sockets are caught mid-handshake and mid-close at a sample.</summary>
    private static readonly LoadSettings s_slow = new()
    {
        Rate = 40,
        Arrival = "poisson",
        Clients = 3,
        Servers = 2,
        Duration = Duration.FromSeconds(6),
        Drain = Duration.FromSeconds(3),
        ServiceTime = Distribution.ParseDuration("exp:300ms", "--service-time"),
        Netem = ["delay 150ms 100ms"],
    };

    [Theory]
    [InlineData(Closer.Client)]
    [InlineData(Closer.Server)]
    public void Each_sample_counts_the_sockets_in_every_state_as_a_walk_of_the_sockets_does(Closer closer)
    {
        // Proves the per-state counts, kept incrementally by the TCP stacks, are exact: at every sample the
        // count of each state, summed over hosts, equals what ss lists (a walk of every socket), and the
        // states add up to the open sockets (connection tables plus timewaits).
        Topology? topology = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int samples = 0;
        LoadRunner.Run(s_slow with { Close = closer }, observe: t => { topology = t; return null; }, onSample: sample =>
        {
            if (topology is null)
            {
                // The first sample is taken as the sampler starts, before observe: hands over the
                // topology and before any client has connected.
                Assert.Equal(0, sample.Time);
                Assert.All(sample.ConnectionsByState.Values, count => Assert.Equal(0, count));
                return;
            }

            var stacks = topology.Hosts.Select(h => h.Transport).OfType<TcpStack>().ToList();
            var walked = stacks.SelectMany(s => s.Snapshot()).Where(s => s.State != TcpState.Listen)
                .GroupBy(s => s.State.ToNetstatString()).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
            foreach (var (state, count) in sample.ConnectionsByState)
            {
                Assert.True(walked.GetValueOrDefault(state) == count, $"{state} at {sample.Time} s: sampled {count}, walked {walked.GetValueOrDefault(state)}");
                if (count > 0)
                {
                    seen.Add(state);
                }
            }

            Assert.Equal(walked.Values.Sum(), sample.ConnectionsByState.Values.Sum());
            Assert.Equal(stacks.Sum(s => (long)s.ConnectionCount + s.TimeWaitCount), sample.ConnectionsByState.Values.Sum());
            Assert.Equal(sample.Established, sample.ConnectionsByState["ESTABLISHED"]);
            Assert.Equal(sample.TimeWaitClients + sample.TimeWaitServers, sample.ConnectionsByState["TIME_WAIT"]);
            samples++;
        });

        Assert.True(samples >= 10, $"{samples} samples");
        string[] expected = ["SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "LAST_ACK", "TIME_WAIT"];
        Assert.True(expected.All(seen.Contains), "states seen at samples: " + string.Join(", ", seen));
    }

    [Fact]
    public void Per_host_figures_are_in_natural_order_and_the_summary_agrees_with_the_time_series()
    {
        // Proves hosts are listed client-1, client-2, …, client-10 (not client-1, client-10, client-2) in
        // every sample and in the JSON, and that the summary's per-host peaks and final counts are the
        // largest and the last values of the per-host time series.
        var report = LoadRunner.Run(new LoadSettings { Rate = 240, Clients = 12, Servers = 2, Duration = Duration.FromSeconds(3), Drain = Duration.FromSeconds(2) });
        string[] hosts = [.. Enumerable.Range(1, 12).Select(i => $"client-{i}"), "server-1", "server-2"];
        Assert.Equal(hosts, report.TimeSeries[0].TimeWaitByHost.Keys);
        Assert.Equal(hosts[..12], report.TimeSeries[0].PortsInUseByHost.Keys);
        Assert.Equal(hosts, report.PeakTimeWaitByHost.Keys);

        using var document = JsonDocument.Parse(report.ToJson());
        var summary = document.RootElement.GetProperty("summary");
        var series = document.RootElement.GetProperty("timeSeries").EnumerateArray().ToList();
        Assert.Equal(hosts, summary.GetProperty("peakTimeWaitByHost").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "TIME_WAIT"],
            series[0].GetProperty("ConnectionsByState").EnumerateObject().Select(p => p.Name));
        foreach (string host in hosts)
        {
            var timeWait = series.Select(s => s.GetProperty("TimeWaitByHost").GetProperty(host).GetInt64()).ToList();
            Assert.Equal(summary.GetProperty("peakTimeWaitByHost").GetProperty(host).GetInt64(), timeWait.Max());
            Assert.Equal(summary.GetProperty("finalTimeWaitByHost").GetProperty(host).GetInt64(), timeWait[^1]);
        }

        foreach (string client in hosts[..12])
        {
            Assert.Equal(summary.GetProperty("peakPortsInUseByHost").GetProperty(client).GetInt64(), series.Max(s => s.GetProperty("PortsInUseByHost").GetProperty(client).GetInt64()));
        }

        Assert.True(report.PeakTimeWaitByHost["client-10"] > 0);
    }
}
