namespace TcpActors.Simulation.Tests;

/// <summary>The run's chaos log: each command at its time, and what a listing command printed.</summary>
public sealed class ChaosLogTests
{
    [Fact]
    public void A_listing_step_shows_what_iptables_prints_under_its_command()
    {
        // Proves iptables -S and -L as chaos steps show the rules in force at their time (they printed nothing before).
        var scenario = ScenarioLoader.Load("""
            hosts:
              client: { addresses: 10.0.0.1/24 }
              server: { addresses: 10.0.0.2/24 }
            links:
              - [client, server]
            chaos:
              - { at: 1s, host: server, iptables: -A INPUT -p tcp --dport 9 -j DROP }
              - { at: 2s, host: server, iptables: -S INPUT }
              - { at: 3s, host: server, iptables: -L INPUT -n }

            """, "listing.yaml", "listing");

        var report = ScenarioRunner.Run(scenario);

        Assert.Equal(
            [
                "t=1.000000 server: -A INPUT -p tcp --dport 9 -j DROP",
                "t=2.000000 server: -S INPUT",
                "  -P INPUT ACCEPT",
                "  -A INPUT -p tcp -m tcp --dport 9 -j DROP",
                "t=3.000000 server: -L INPUT -n",
                "  Chain INPUT (policy ACCEPT)",
                "  target     prot opt source               destination         ",
                "  DROP       6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:9",
            ],
            report.ChaosLog);
    }
}
