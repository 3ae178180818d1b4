using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>Replies given back by their receiver (<see cref="ReplySpares"/>) come back as the next reply, equal to a new one and holding nothing of their past.</summary>
public sealed class ReplySparesTests
{
    private static readonly SocketAddress Local = SocketAddress.Parse("10.0.1.2:40000");
    private static readonly SocketAddress Remote = SocketAddress.Parse("10.0.2.2:80");

    [Fact]
    public void A_given_back_received_is_the_next_one_with_the_new_data_only()
    {
        var first = ReplySpares.Received(ByteChunk.OfLength(100));
        ReplySpares.GiveBack(first);
        Assert.Equal(default, first.Data);
        var second = ReplySpares.Received(ByteChunk.OfLength(7));
        Assert.Same(first, second);
        Assert.Equal(new Received(ByteChunk.OfLength(7)), second);
        Assert.Equal(new Received(ByteChunk.OfLength(7)).ToString(), second.ToString());
        Assert.NotSame(second, ReplySpares.Received(ByteChunk.OfLength(7)));
    }

    [Fact]
    public void A_given_back_connected_or_accepted_lets_go_of_its_socket_and_is_the_next_one_with_new_contents()
    {
        var system = ActorSystem.Create("replies", 1);
        var socketA = system.ActorOf(Props.Create(() => new Idle()), "a");
        var socketB = system.ActorOf(Props.Create(() => new Idle()), "b");

        var connected = ReplySpares.Connected(socketA, Local, Remote);
        ReplySpares.GiveBack(connected);
        Assert.Null(connected.Socket);
        var reused = ReplySpares.Connected(socketB, Remote, Local);
        Assert.Same(connected, reused);
        Assert.Equal(new Connected(socketB, Remote, Local), reused);

        var accepted = ReplySpares.Accepted(socketA, Local, Remote);
        ReplySpares.GiveBack(accepted);
        Assert.Null(accepted.Socket);
        var next = ReplySpares.Accepted(socketB, Remote, Local);
        Assert.Same(accepted, next);
        Assert.Equal(new Accepted(socketB, Remote, Local), next);
    }

    private sealed class Idle : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }
}
