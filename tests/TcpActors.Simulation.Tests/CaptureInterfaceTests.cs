namespace TcpActors.Simulation.Tests;

/// <summary>The capture's interface is one the host has, or 'any' (tcpdump -i any): never a silently empty capture.</summary>
public sealed class CaptureInterfaceTests
{
    private const string Network = """
        hosts:
          client: { addresses: 10.0.0.1/24 }
          server: { addresses: 10.0.0.2/24 }
        links:
          - [client, server]
        apps:
          server:
            host: server
            script:
              - s = socket()
              - bind(s, 10.0.0.2:8080)
              - listen(s, 8)
          client:
            host: client
            script:
              - at 1s: s = socket()
              - connect(s, 10.0.0.2:8080)

        """;

    [Fact]
    public void An_interface_the_host_lacks_is_bad_input_at_its_line()
    {
        // Proves tcpdump's "No such device" becomes a located error naming the host's interfaces.
        var scenario = ScenarioLoader.Load(Network + "capture: { host: client, interface: eth9 }\n", "c.yaml", "c");

        var error = Assert.Throws<ScenarioException>(() => ScenarioRunner.Run(scenario));

        Assert.Equal("c.yaml:18:37: client has no interface 'eth9' (it has lo, eth0; 'any' captures on all)", error.Message);
    }

    [Theory]
    [InlineData("any")]
    [InlineData("eth0")]
    public void Any_and_an_existing_interface_capture_the_handshake(string name)
    {
        // Proves 'any' listens on every interface, as tcpdump -i any does, rather than on an interface named "any".
        var scenario = ScenarioLoader.Load(Network + $"capture: {{ host: client, interface: {name} }}\n", "c.yaml", "c");

        var report = ScenarioRunner.Run(scenario);

        Assert.Equal(3, report.Segments.Count);
    }
}
