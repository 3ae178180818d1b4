using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>setsockopt TCP_CONGESTION (tcp_set_congestion_control): a known name is taken, an unknown one is ENOENT.</summary>
public sealed class CongestionControlOptionTests
{
    [Fact]
    public void An_unknown_algorithm_fails_with_enoent_wherever_the_option_is_given()
    {
        // Proves tcp_ca_find's failure as setsockopt reports it: socket() with the option, setsockopt on an open
        // socket, and connect() carrying it all answer ENOENT ("No such file or directory"); a known name is set.
        var system = ActorSystem.Create("tcp-congestion", 1);
        var topology = new TopologyBuilder(system).AddModule(Tcp.Module).AddHost("box", h => h.LoopbackOnly()).Build();
        var tcp = Tcp.ManagerOf(topology["box"]);
        var app = new TestProbe(system, "app");
        var vegas = new SocketOptions { CongestionControl = "vegas" };

        var open = new OpenSocket(vegas);
        app.Send(tcp, open);
        var refused = app.ExpectMsg<CommandFailed>();
        Assert.Same(open, refused.Command);
        Assert.Equal(Errno.ENOENT, refused.Errno);
        Assert.Equal("No such file or directory", refused.Errno.Describe());

        app.Send(tcp, new OpenSocket());
        var socket = app.ExpectMsg<SocketOpened>().Socket;
        app.Send(socket, new SetOptions(vegas));
        Assert.Equal(Errno.ENOENT, app.ExpectMsg<CommandFailed>().Errno);
        app.Send(socket, new SetOptions(new SocketOptions { CongestionControl = "reno" }));
        Assert.Equal("reno", app.ExpectMsg<OptionsSet>().Options.CongestionControl);
        app.Send(socket, new Connect(SocketAddress.Parse("127.0.0.1:60000"), vegas));
        Assert.Equal(Errno.ENOENT, app.ExpectMsg<CommandFailed>().Errno);
    }

    [Fact]
    public void The_available_names_are_linuxs()
    {
        Assert.Equal("reno cubic bbr", CongestionControlNames.Available);
        Assert.True(CongestionControlNames.IsAvailable("cubic"));
        Assert.False(CongestionControlNames.IsAvailable("Cubic"));
    }
}
