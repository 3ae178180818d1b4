namespace TcpActors.Simulation.Tests;

/// <summary>How link-down and link-up steps name a link, resolved the same way when the file is read and when the step runs.</summary>
public sealed class LinkNameTests
{
    private static readonly (string A, string B)[] s_links = [("client-1", "router"), ("router", "server")];

    [Theory]
    [InlineData("client-1 router", "client-1", "router")]
    [InlineData("router, client-1", "router", "client-1")]
    [InlineData("client-1 <-> router", "client-1", "router")]
    [InlineData("client-1<->router", "client-1", "router")]
    [InlineData("client-1-router", "client-1", "router")]
    [InlineData("router-server", "router", "server")]
    public void A_link_is_named_by_its_two_hosts_in_any_of_the_documented_forms(string name, string a, string b)
    {
        // Proves the forms resolve, including a hyphen inside a host name (client-1-router splits after client-1).
        Assert.Equal((a, b), LinkNames.Resolve(name, Linked));
    }

    [Theory]
    [InlineData("client-1")]
    [InlineData("client-1 server")]
    [InlineData("a b c")]
    [InlineData("-")]
    [InlineData("")]
    public void A_name_that_is_not_a_link_resolves_to_nothing(string name)
    {
        // Proves a single host, two hosts without a link between them, and odd text name no link.
        Assert.Null(LinkNames.Resolve(name, Linked));
    }

    [Fact]
    public void A_link_step_with_hyphenated_host_names_takes_the_link_down_in_the_run()
    {
        // Proves the runner uses the same rule as the loader: 'client-1-router' is accepted and applied, not rejected at run time.
        const string Text = """
            hosts:
              client-1: { addresses: 10.0.0.1/24 }
              router: { addresses: 10.0.0.2/24 }
            links:
              - [client-1, router]
            chaos:
              - { at: 1s, link-down: client-1-router }
              - { at: 2s, link-up: client-1 <-> router }
            """;

        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));

        Assert.Equal(2, report.ChaosLog.Count);
        Assert.All(report.ChaosLog, line => Assert.DoesNotContain("REJECTED", line, StringComparison.Ordinal));
    }

    private static bool Linked(string a, string b) => s_links.Any(l => (l.A == a && l.B == b) || (l.A == b && l.B == a));
}
