using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;

namespace TcpActors.Endpoints.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public void A_loopback_request_response_close_matches_the_kernel_capture()
    {
        // Proves behaviour 1 end to end against tests/reference/kernel/01-lifecycle-loopback.txt:
        // windows 65495/65483 then 64 (wscale 10), the request and reply ACKed at once (quick-ACK),
        // the first FIN ACKed by a 40 ms delayed ACK, the second at once, each FIN taking one sequence number.
        var system = ActorSystem.Create("lifecycle", 1);
        var topology = new TopologyBuilder(system).AddModule(Tcp.Module).AddHost("box", h => h.LoopbackOnly()).Build();
        var wire = new WireLog(system);
        var tcp = Tcp.ManagerOf(topology["box"]);
        var server = new TestProbe(system, "server");
        var client = new TestProbe(system, "client");
        server.Send(tcp, new OpenSocket(new SocketOptions { ReuseAddress = true }));
        var listener = server.ExpectMsg<SocketOpened>().Socket;
        server.Send(listener, new Bind(SocketAddress.Parse("127.0.0.1:60000")));
        server.ExpectMsg<Bound>();
        server.Send(listener, new Listen(10));
        server.ExpectMsg<Listening>();
        client.Send(tcp, new Connect(SocketAddress.Parse("127.0.0.1:60000"), Local: SocketAddress.Parse("127.0.0.1:40000")));
        var connected = client.ExpectMsg<Connected>();
        server.Send(listener, Accept.Instance);
        var accepted = server.ExpectMsg<Accepted>();
        client.Send(connected.Socket, new Send(ByteChunk.OfLength(100)));
        client.ExpectMsg<Sent>();
        system.RunFor(Duration.FromMilliseconds(300));
        server.Send(accepted.Socket, new Read());
        Assert.Equal(100, server.ExpectMsg<Received>().Data.Length);
        server.Send(accepted.Socket, new Send(ByteChunk.OfLength(50)));
        server.ExpectMsg<Sent>();
        system.RunFor(Duration.FromMilliseconds(700));
        client.Send(connected.Socket, new Read());
        Assert.Equal(50, client.ExpectMsg<Received>().Data.Length);
        client.Send(connected.Socket, Close.Instance);
        client.ExpectMsg<Closed>();
        system.RunFor(Duration.FromMilliseconds(500));
        server.Send(accepted.Socket, new Read());
        server.ExpectMsg<EndOfStream>();
        server.Send(accepted.Socket, Close.Instance);
        server.ExpectMsg<Closed>();
        system.RunFor(Duration.FromSeconds(61));

        Assert.Equal(
            """
            0.000000 40000>60000 S seq ISN win 65495
            0.000000 60000>40000 S. seq ISN ack 1 win 65483
            0.000000 40000>60000 . ack 1 win 64
            0.000000 40000>60000 P. seq 1:101 ack 1 win 64 length 100
            0.000000 60000>40000 . ack 101 win 64
            0.300000 60000>40000 P. seq 1:51 ack 101 win 64 length 50
            0.300000 40000>60000 . ack 51 win 64
            1.000000 40000>60000 F. seq 101 ack 51 win 64
            1.040000 60000>40000 . ack 102 win 64
            1.500000 60000>40000 F. seq 51 ack 102 win 64
            1.500000 40000>60000 . ack 52 win 64
            """,
            Normalize(wire.ToString()));
        Assert.DoesNotContain(Tcp.StackOf(topology["box"]).Snapshot(), s => s.State != TcpState.Listen);
    }

    /// <summary>SYNs print absolute sequence numbers; replace them so the expectation does not depend on the ISN.</summary>
    private static string Normalize(string log) =>
        string.Join('\n', log.Split('\n').Select(line =>
            line.Contains(" S seq ", StringComparison.Ordinal) || line.Contains(" S. seq ", StringComparison.Ordinal)
                ? System.Text.RegularExpressions.Regex.Replace(line, @"(S\.? seq )\d+( ack \d+)?", m => m.Groups[1].Value + "ISN" + (m.Groups[2].Success ? " ack 1" : ""))
                : line));
}
