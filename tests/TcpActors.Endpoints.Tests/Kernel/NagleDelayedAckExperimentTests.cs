using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 63: Nagle and the delayed ACK with small writes (write-write-read), and TCP_NODELAY.</summary>
public sealed class NagleDelayedAckExperimentTests
{
    [Fact]
    public void Write_write_read_stalls_40_ms_on_the_delayed_ack_from_the_second_round_unless_tcp_nodelay()
    {
        // Proves against tests/reference/kernel/63-nagle-delayed-ack.txt: c1 (Nagle) writes a 100-byte header and a
        // 100-byte body; the body waits for the header's ACK (tcp_nagle_check, Minshall: a small segment unacked). In
        // the first round the server's quick-ACK credit answers at once; its response, sent within ato of receiving,
        // puts it in ping-pong mode, so from the second round the header's ACK waits for the delayed-ACK timer
        // (40 ms; it leaves ping-pong mode when it fires), the body leaves only then and is ACKed at once (quick-ACK,
        // no longer ping-pong), and the response comes 40 ms late. c2 (TCP_NODELAY) sends both at once every round;
        // from the second round the server ACKs the two together when its reader takes them (tcp_cleanup_rbuf,
        // ICSK_ACK_PUSHED2), then responds.
        var lab = Lab.Routed();
        lab.Run("server1", lab.Server, p => Server(p, 8080));
        lab.Run("server2", lab.Server, p => Server(p, 8081));
        lab.Run("c1", lab.Client, p => Client(p, 1));
        lab.Run("c2", lab.Client, p => Client(p, 2));
        lab.RunUntil(6);
        Expect.SameAsKernel(lab.Wire, "63-nagle-delayed-ack.txt");
        Expect.Lines(
            """
            1.500000 40001>8080 P. seq 201:301 ack 101 win 63 [TS] length 100
            1.540000 8080>40001 . ack 301 win 64 [TS]
            1.540000 40001>8080 P. seq 301:401 ack 101 win 63 [TS] length 100
            1.540000 8080>40001 . ack 401 win 64 [TS]
            1.540000 8080>40001 P. seq 101:201 ack 401 win 64 [TS] length 100
            1.540000 40001>8080 . ack 201 win 63 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(18).Take(6))); // kernel: the header's ACK at 1.546176
        var stalls = lab.Calls.Lines.Where(l => l.Contains(" c1 recv(100) -> 100 bytes", StringComparison.Ordinal)).Select(l => l[..5]).ToArray();
        Assert.Equal(["3.000", "3.540", "4.040", "4.540", "5.040", "5.540"], stalls); // kernel 3.001, 3.547, 4.056, 4.545, 5.043, 5.544
        var immediate = lab.Calls.Lines.Where(l => l.Contains(" c2 recv(100) -> 100 bytes", StringComparison.Ordinal)).Select(l => l[..5]).ToArray();
        Assert.Equal(["3.250", "3.750", "4.250", "4.750", "5.250", "5.750"], immediate); // kernel 3.251 … 5.751
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, int port)
    {
        var listener = p.Socket();
        yield return listener.Bind($"10.0.2.2:{port}");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        for (int round = 0; round < 6; round++)
        {
            // recv() until the 200 bytes of the request are in, as the kernel-lab server does.
            for (int got = 0; got < 200; got += p.LastReceived)
            {
                yield return connection.Recv(200 - got);
                if (p.LastReceived <= 0)
                {
                    yield break;
                }
            }

            yield return connection.Send(100);
        }

        yield return connection.Recv();
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int client)
    {
        yield return Script.Until(client == 1 ? 2.0 : 2.0004); // the kernel's c2 connected 0.4 ms after c1
        var socket = p.Socket();
        if (client == 2)
        {
            yield return socket.SetOptions("TCP_NODELAY 1", o => o with { NoDelay = true });
        }

        yield return socket.Bind($"10.0.1.2:{40000 + client}");
        yield return socket.Connect($"10.0.2.2:{8079 + client}");
        for (int round = 0; round < 6; round++)
        {
            yield return Script.Until(3.0 + (0.25 * (client - 1)) + (0.5 * round));
            yield return socket.Send(100);
            if (client == 2)
            {
                // The kernel's second send() came 0.1–0.4 ms after the first (the driver's call time); with no
                // Nagle to hold it, that gap is what lets the header's quick ACK of round 1 leave before the body.
                yield return Script.Sleep(0.0003);
            }

            yield return socket.Send(100);
            for (int got = 0; got < 100; got += p.LastReceived)
            {
                yield return socket.Recv(100 - got);
                if (p.LastReceived <= 0)
                {
                    yield break;
                }
            }
        }

        yield return socket.Close();
    }
}
