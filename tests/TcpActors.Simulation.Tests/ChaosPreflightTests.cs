namespace TcpActors.Simulation.Tests;

/// <summary>A chaos step iptables or tc would refuse is bad input at its line, found before the run.</summary>
public sealed class ChaosPreflightTests
{
    private const string Network = """
        hosts:
          client: { addresses: 10.0.0.1/24 }
          server: { addresses: 10.0.0.2/24 }
        links:
          - [client, server]
        chaos:

        """;

    [Theory]
    [InlineData("  - { at: 1s, host: server, tc: qdisc add dev eth7 root netem delay 5s }",
        "bad.yaml:7:33: Cannot find device \"eth7\" ('qdisc add dev eth7 root netem delay 5s' at 1.000000 s on server would be refused)")]
    [InlineData("  - { at: 1s, host: server, iptables: -D INPUT 3 }",
        "bad.yaml:7:39: iptables: Index of deletion too big. ('-D INPUT 3' at 1.000000 s on server would be refused)")]
    [InlineData("  - { at: 1s, host: server, iptables: -I INPUT 2 -j DROP }",
        "bad.yaml:7:39: iptables: Index of insertion too big. ('-I INPUT 2 -j DROP' at 1.000000 s on server would be refused)")]
    [InlineData("  - { at: 1s, host: client, tc: qdisc change dev eth0 root netem loss 5% }",
        "bad.yaml:7:33: Error: Qdisc not found. To create specify NLM_F_CREATE flag. ('qdisc change dev eth0 root netem loss 5%' at 1.000000 s on client would be refused)")]
    public void A_command_the_tool_would_refuse_is_reported_at_its_line(string step, string message)
    {
        // Proves a device that does not exist and rules or qdiscs that are not there stop the run before it starts.
        var scenario = ScenarioLoader.Load(Network + step + "\n", "bad.yaml", "bad");

        var error = Assert.Throws<ScenarioException>(() => ScenarioRunner.Run(scenario));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_command_valid_at_its_time_passes_though_it_would_fail_earlier()
    {
        // Proves the dry run follows the timeline: deleting rule 1 is refused on an empty chain, accepted after -A.
        var scenario = ScenarioLoader.Load(Network + """
              - { at: 1s, host: server, iptables: -A INPUT -p tcp --dport 9 -j DROP }
              - { at: 2s, host: server, iptables: -D INPUT 1 }
              - { at: 3s, host: server, tc: qdisc add dev eth0 root netem delay 1ms }
              - { at: 4s, host: server, tc: qdisc change dev eth0 root netem delay 2ms }

            """, "good.yaml", "good");

        var report = ScenarioRunner.Run(scenario);

        Assert.Equal(4, report.ChaosLog.Count);
        Assert.All(report.ChaosLog, line => Assert.DoesNotContain("REJECTED", line, StringComparison.Ordinal));
    }
}
