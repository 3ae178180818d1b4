using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;

namespace TcpActors.Endpoints.Tests;

/// <summary>The shortcuts load workloads use: connect with a handler, accept continuously with a handler, send without ack.</summary>
public sealed class WorkloadApiTests
{
    [Fact]
    public void Connect_with_a_handler_pushes_data_without_a_register_and_send_without_ack_is_not_answered()
    {
        // Proves Connect(Handler) registers the connection (auto-read) as it completes, so the reply's
        // bytes arrive as Received without a Register; and Send(NoAck) queues the bytes (they go out and
        // arrive) with no Sent reply, while Send without NoAck is still answered.
        var (system, tcp, server, listener) = Listening();
        var client = new TestProbe(system, "client");
        client.Send(tcp, new Connect(SocketAddress.Parse("127.0.0.1:60000"), Handler: client.Ref));
        var connected = client.ExpectMsg<Connected>();
        server.Send(listener, new Accept(Handler: server.Ref));
        var accepted = server.ExpectMsg<Accepted>();

        client.Send(connected.Socket, new Send(ByteChunk.OfLength(100), NoAck: true));
        Assert.Equal(100, server.ExpectMsg<Received>().Data.Length);
        client.ExpectNoMsg(Duration.FromMilliseconds(10));

        server.Send(accepted.Socket, new Send(ByteChunk.OfLength(50)));
        server.ExpectMsg<Sent>();
        Assert.Equal(50, client.ExpectMsg<Received>().Data.Length);
    }

    [Fact]
    public void A_continuous_accept_answers_every_connection_once_and_registers_each_one()
    {
        // Proves Accept(Continuously) keeps accepting: three connections give three Accepted replies
        // (one per connection, in order) and each connection's data is pushed to the handler.
        var (system, tcp, server, listener) = Listening();
        server.Send(listener, new Accept(Handler: server.Ref, Continuously: true));
        var clients = Enumerable.Range(0, 3).Select(i => new TestProbe(system, "client" + i)).ToList();
        var sockets = new List<IActorRef>();
        foreach (var client in clients)
        {
            client.Send(tcp, new Connect(SocketAddress.Parse("127.0.0.1:60000"), Handler: client.Ref));
            sockets.Add(client.ExpectMsg<Connected>().Socket);
        }

        var accepted = Enumerable.Range(0, 3).Select(_ => server.ExpectMsg<Accepted>()).ToList();
        Assert.Equal(3, accepted.Select(a => a.Remote).Distinct().Count());
        Assert.Equal(sockets.Count, accepted.Count);

        for (int i = 0; i < 3; i++)
        {
            clients[i].Send(sockets[i], new Send(ByteChunk.OfLength(10 + i), NoAck: true));
            var received = server.ExpectMsg<Received>();
            Assert.Equal(10 + i, received.Data.Length);
            Assert.Same(accepted[i].Socket, server.LastSender);
        }

        server.ExpectNoMsg(Duration.FromMilliseconds(50));
    }

    [Fact]
    public void A_continuous_accept_fails_with_einval_when_the_listener_closes()
    {
        // Proves a pending continuous accept() returns EINVAL when the listener is closed, like a blocked accept().
        var (_, _, server, listener) = Listening();
        var accept = new Accept(Handler: server.Ref, Continuously: true);
        server.Send(listener, accept);
        server.Send(listener, Close.Instance);
        var failed = server.ExpectMsg<CommandFailed>();
        Assert.Same(accept, failed.Command);
        Assert.Equal(Errno.EINVAL, failed.Errno);
    }

    private static (ActorSystem System, IActorRef Tcp, TestProbe Server, IActorRef Listener) Listening()
    {
        var system = ActorSystem.Create("workload-api", 1);
        var topology = new TopologyBuilder(system).AddModule(Tcp.Module).AddHost("box", h => h.LoopbackOnly()).Build();
        var tcp = Tcp.ManagerOf(topology["box"]);
        var server = new TestProbe(system, "server");
        server.Send(tcp, new OpenSocket(new SocketOptions { ReuseAddress = true }));
        var listener = server.ExpectMsg<SocketOpened>().Socket;
        server.Send(listener, new Bind(SocketAddress.Parse("127.0.0.1:60000")));
        server.ExpectMsg<Bound>();
        server.Send(listener, new Listen(10));
        server.ExpectMsg<Listening>();
        return (system, tcp, server, listener);
    }
}
