using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>
/// listen()'s backlog clamped to net.core.somaxconn (__sys_listen: backlog = min(backlog, somaxconn)), and the
/// accept queue full when it holds more than the backlog (sk_acceptq_is_full: ack_backlog &gt; max_ack_backlog).
/// </summary>
public sealed class ListenBacklogClampTests
{
    [Fact]
    public void Listen_100_with_somaxconn_4_queues_five_connections_and_drops_the_sixth_syn()
    {
        // Proves __sys_listen's clamp and tcp_conn_request's accept-queue check: somaxconn=4, listen(100), nobody
        // accepts. Six clients connect 100 ms apart; the first five complete their handshakes (backlog + 1 fit,
        // since the queue is full only when it holds more than 4); the sixth's SYN finds the queue full and is
        // dropped without a reply (TcpExtListenOverflows, ListenDrops), so it is still retrying at 2.4 s. ss shows
        // the listener with Recv-Q 5 and Send-Q 4, the clamped backlog.
        var lab = Lab.Routed(server: ["net.core.somaxconn=4"]);
        lab.Run("server", lab.Server, Server);
        for (int client = 1; client <= 6; client++)
        {
            int c = client;
            lab.Run($"c{c}", lab.Client, p => Client(p, c, 1.0 + (0.1 * (c - 1))));
        }

        lab.RunUntil(2.4);

        for (int client = 1; client <= 5; client++)
        {
            Assert.Contains($"c{client} connect(10.0.2.2:8080) -> 0", lab.Calls.Of($"c{client}"), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("connect", lab.Calls.Of("c6"), StringComparison.Ordinal);
        Assert.DoesNotContain(lab.ServerWire.Segments, s => s.Record.Destination.Port == 40006);
        Assert.Equal(1, lab.ServerWire.Segments.Count(s => s.Record.Source.Port == 40006));
        var listener = Assert.Single(lab.ServerStack.Snapshot(), s => s.State == TcpState.Listen);
        Assert.Equal((5, 4), (listener.RecvQ, listener.SendQ));
        Assert.Equal(1, lab.ServerStack.Counters.ListenOverflows);
        Assert.Equal(1, lab.ServerStack.Counters.ListenDrops);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(100);
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int client, double at)
    {
        yield return Script.Until(at);
        var socket = p.Socket();
        yield return socket.Bind($"10.0.1.2:{40000 + client}");
        yield return socket.Connect("10.0.2.2:8080");
    }
}
