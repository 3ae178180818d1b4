using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 19 (behaviour 19): bind() over TIME-WAIT ports and SO_REUSEADDR / SO_REUSEPORT.</summary>
public sealed class BindReuseExperimentTests
{
    [Fact]
    public void Rebinding_a_port_held_by_time_wait_needs_so_reuseaddr_on_both_the_old_and_the_new_socket()
    {
        // Proves behaviour 19 against tests/reference/kernel/19-bind-reuse.txt: the server closed first, so
        // TIME-WAITs hold 8081-8084; a new bind() succeeds only when the old socket and the new one both set
        // SO_REUSEADDR (the TIME-WAIT keeps its socket's flag); a second SO_REUSEADDR socket cannot bind a port
        // a listener holds; SO_REUSEPORT lets two listeners share 8090, refuses a socket without it, admits one
        // with both options, and the listeners share the connections.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.At(2.5, () => lab.Ss(lab.Server, "server (TIME_WAITs on 8081-8084, listener on 8085)"));
        var queues = new List<int>();
        lab.At(4.5, () => queues.AddRange(lab.ServerStack.Snapshot().Where(s => s.State == TcpState.Listen && s.Local.Port == 8090).Select(s => s.RecvQ)));
        lab.RunUntil(6);
        Expect.Lines(
            """
            3.000 server bind(10.0.2.2:8081) -> EADDRINUSE
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8082) -> EADDRINUSE
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8083) -> EADDRINUSE
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8084) -> 0
            3.000 server listen(8) -> 0
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8085) -> EADDRINUSE
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8090) -> 0
            3.000 server listen(8) -> 0
            3.000 server bind(10.0.2.2:8090) -> 0
            3.000 server listen(8) -> 0
            3.000 server bind(10.0.2.2:8090) -> EADDRINUSE
            3.000 server close() -> 0
            3.000 server bind(10.0.2.2:8090) -> 0
            3.000 server close() -> 0
            """,
            string.Join('\n', lab.Calls.Of("server").Split('\n').Where(l => l.StartsWith("3.000", StringComparison.Ordinal))));
        Assert.Equal(4, lab.SsLog[0].Split('\n').Count(l => l.StartsWith("TIME-WAIT 0 0 10.0.2.2:808", StringComparison.Ordinal)));
        Assert.Equal(6, queues.Sum());
        Assert.All(queues, q => Assert.InRange(q, 1, 5)); // kernel: 3 and 3, by the 4-tuple hash
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        bool[] oldReuse = [false, false, true, true];
        bool[] newReuse = [false, true, false, true];
        var listeners = new List<Sock>();
        for (int i = 0; i < 4; i++)
        {
            var listener = p.Socket(new SocketOptions { ReuseAddress = oldReuse[i] });
            yield return listener.Bind($"10.0.2.2:{8081 + i}");
            yield return listener.Listen(8);
            listeners.Add(listener);
        }

        var kept = p.Socket(new SocketOptions { ReuseAddress = true });
        yield return kept.Bind("10.0.2.2:8085");
        yield return kept.Listen(8);
        var connections = new List<Sock>();
        foreach (var listener in listeners)
        {
            yield return listener.Accept();
            connections.Add(p.Accepted!);
        }

        yield return Script.Until(1.5);
        foreach (var connection in connections)
        {
            yield return connection.Close();
        }

        yield return Script.Until(2.0);
        foreach (var listener in listeners)
        {
            yield return listener.Close();
        }

        yield return Script.Until(3.0);
        for (int i = 0; i < 4; i++)
        {
            var again = p.Socket(new SocketOptions { ReuseAddress = newReuse[i] });
            yield return again.Bind($"10.0.2.2:{8081 + i}");
            if (again.LastErrno == Errno.None)
            {
                yield return again.Listen(8);
            }

            yield return again.Close();
        }

        var second = p.Socket(new SocketOptions { ReuseAddress = true });
        yield return second.Bind("10.0.2.2:8085");
        yield return second.Close();
        var a = p.Socket(new SocketOptions { ReusePort = true });
        yield return a.Bind("10.0.2.2:8090");
        yield return a.Listen(8);
        var b = p.Socket(new SocketOptions { ReusePort = true });
        yield return b.Bind("10.0.2.2:8090");
        yield return b.Listen(8);
        var c = p.Socket();
        yield return c.Bind("10.0.2.2:8090");
        yield return c.Close();
        var d = p.Socket(new SocketOptions { ReuseAddress = true, ReusePort = true });
        yield return d.Bind("10.0.2.2:8090");
        yield return d.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var sockets = new List<Sock>();
        for (int i = 0; i < 4; i++)
        {
            var socket = p.Socket();
            yield return socket.Bind($"10.0.1.2:{40001 + i}");
            yield return socket.Connect($"10.0.2.2:{8081 + i}");
            sockets.Add(socket);
        }

        foreach (var socket in sockets)
        {
            yield return socket.Recv();
            yield return socket.Close();
        }

        yield return Script.Until(4.0);
        for (int i = 0; i < 6; i++)
        {
            var socket = p.Socket();
            yield return socket.Bind($"10.0.1.2:{40010 + i}");
            yield return socket.Connect("10.0.2.2:8090");
            yield return socket.Close();
        }
    }
}
