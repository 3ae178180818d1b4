using TcpActors.Endpoints.Tests.Harness;
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

    [Fact]
    public void An_accepted_socket_takes_its_listeners_algorithm_only_if_setsockopt_chose_it()
    {
        // Proves tcp_assign_congestion_control and tcp_ca_openreq_child: the sysctl is cubic when the listeners are
        // made and bbr when the SYNs come. The listener given TCP_CONGESTION reno passes reno on; the other listener
        // keeps the cubic it was made with, but its child takes the sysctl of the moment, bbr.
        var lab = Lab.Routed(server: ["net.ipv4.tcp_congestion_control=cubic"]);
        lab.Run("server", lab.Server, p => Listen(p, 8080, new SocketOptions { CongestionControl = "reno" }));
        lab.Run("server2", lab.Server, p => Listen(p, 8081, SocketOptions.Default));
        lab.At(0.5, () => lab.ServerStack.Sysctls.TcpCongestionControl = "bbr");
        lab.Run("client", lab.Client, Connect);
        lab.RunUntil(2.0);
        var sockets = lab.ServerStack.Snapshot();
        string Algorithm(TcpState state, int port) => sockets.Single(s => s.State == state && s.Local.Port == port).CongestionControl!;
        string InfoName(TcpState state, int port) => sockets.Single(s => s.State == state && s.Local.Port == port).Info!.CongestionControl;
        Assert.Equal(("reno", "reno"), (Algorithm(TcpState.Listen, 8080), Algorithm(TcpState.Established, 8080)));
        Assert.Equal(("cubic", "bbr"), (Algorithm(TcpState.Listen, 8081), Algorithm(TcpState.Established, 8081)));

        // ss -i names each socket's own algorithm (INET_DIAG_CONG), not the sysctl's value now (bbr).
        Assert.Equal(("reno", "reno"), (InfoName(TcpState.Listen, 8080), InfoName(TcpState.Established, 8080)));
        Assert.Equal(("cubic", "bbr"), (InfoName(TcpState.Listen, 8081), InfoName(TcpState.Established, 8081)));
    }

    private static IEnumerable<Step> Listen(ScriptedProcess p, int port, SocketOptions options)
    {
        var listener = p.Socket(options);
        yield return listener.Bind($"10.0.2.2:{port}");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return Script.Until(3.0);
    }

    private static IEnumerable<Step> Connect(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        yield return p.Socket().Connect("10.0.2.2:8080");
        yield return p.Socket().Connect("10.0.2.2:8081");
        yield return Script.Until(3.0);
    }
}
