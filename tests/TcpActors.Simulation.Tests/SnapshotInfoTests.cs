namespace TcpActors.Simulation.Tests;

/// <summary>A scenario's ss snapshots: <c>ss -tan -o</c>, and with <c>info: true</c> <c>ss -tanoi</c>'s tcp_info line under each connection.</summary>
public sealed class SnapshotInfoTests
{
    [Fact]
    public void A_snapshot_with_info_prints_each_connections_tcp_info_and_one_without_does_not()
    {
        // Proves the scenario option reaches ss -i: after a 100-byte request answered on loopback, the client's line
        // shows the bytes it sent and had ACKed (the SYN counts as acknowledged: 101), its segments and delivered
        // (SYN and data); the listener only its congestion control and window; a plain snapshot no info lines.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            apps:
              server:
                host: box
                script:
                  - l = socket()
                  - bind(l, 127.0.0.1:8080)
                  - listen(l)
                  - c = accept(l)
                  - recv(c)
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:8080)
                  - send(s, 100)
            snapshots:
              - { at: 2s, info: true }
              - { at: 2s }
            """;

        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));

        Assert.Equal(2, report.Snapshots.Count);
        string withInfo = report.Snapshots[0].Text;
        var lines = withInfo.Split('\n');
        // The client's connection: its peer (the fifth column) is the server's port.
        int client = Array.FindIndex(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["ESTAB", _, _, _, "127.0.0.1:8080", ..]);
        Assert.True(client >= 0, withInfo);
        Assert.StartsWith("\t ts sack ", lines[client + 1], StringComparison.Ordinal);
        Assert.Contains(" bytes_sent:100 bytes_acked:101 segs_out:3 segs_in:2 data_segs_out:1 ", lines[client + 1], StringComparison.Ordinal);
        Assert.Contains(" delivered:2 ", lines[client + 1], StringComparison.Ordinal);
        int listener = Array.FindIndex(lines, l => l.StartsWith("LISTEN", StringComparison.Ordinal));
        Assert.Matches(@"^\t [a-z]+ cwnd:10$", lines[listener + 1]);
        Assert.DoesNotContain("\t", report.Snapshots[1].Text, StringComparison.Ordinal);
    }
}
