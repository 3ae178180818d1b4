using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 39: net.core.rmem_max and net.core.wmem_max cap SO_RCVBUF and SO_SNDBUF. sock_setsockopt limits the
/// value to the sysctl, then doubles it (for the sk_buff overhead), and never goes below SOCK_MIN_RCVBUF (2304) or
/// SOCK_MIN_SNDBUF (4608); the locked receive buffer then sets the SYN's window and scale.
/// </summary>
public sealed class BufferMaxExperimentTests
{
    [Fact]
    public void So_rcvbuf_and_so_sndbuf_are_capped_by_the_core_maxima_before_doubling()
    {
        // Proves against tests/reference/kernel/39-buffer-max.txt: 10000000 bytes asked of each buffer give 8388608
        // (4194304, the default maximum, doubled), 1000000 give 2000000, 1000 give the floors 2304 and 4608; the SYNs
        // offer 65535 with wscale 7, 65535 with wscale 4 and 1152 with wscale 0, and the windows that follow are
        // 32759 (×128), 62415 (×16) and 1152.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(4.0);
        // Up to the last connection's close: after the peer's FIN the kernel's orphan offers 1151, one byte less
        // than the simulator's 1152 (its receive memory after the FIN is not the simulator's).
        Expect.SameAsKernel(lab.Wire, "39-buffer-max.txt", untilSeconds: 2.4);
        Expect.Lines(
            """
            1.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 131072 16384
            1.000 client setsockopt(SO_RCVBUF 10000000, SO_SNDBUF 10000000) -> 0
            1.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 8388608 8388608
            2.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 131072 16384
            2.000 client setsockopt(SO_RCVBUF 1000000, SO_SNDBUF 1000000) -> 0
            2.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 2000000 2000000
            3.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 131072 16384
            3.000 client setsockopt(SO_RCVBUF 1000, SO_SNDBUF 1000) -> 0
            3.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 2304 4608
            """,
            string.Join('\n', lab.Calls.Of("client").Split('\n').Where(line => line.Contains("sockopt", StringComparison.Ordinal))));
        // The unset send buffer reads 16384 (tcp_wmem[1], before tcp_sndbuf_expand grows it at establishment), as on
        // the kernel.
    }

    [Fact]
    public void A_lower_rmem_max_caps_so_rcvbuf_and_the_window_scale_it_gives()
    {
        // Proves the cap follows the sysctl (the kernel's namespaces cannot lower it: read-only there): with
        // net.core.rmem_max 65536, SO_RCVBUF 10000000 keeps 65536, doubled to 131072, and the SYN offers 64240 with
        // wscale 1 (a full space of 65536) where the default maximum gave 65535 with wscale 7; wmem_max 32768 caps
        // SO_SNDBUF to 65536.
        var lab = Lab.Routed(client: ["net.core.rmem_max=65536", "net.core.wmem_max=32768"]);
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, p => OneClient(p, 10000000, 0));
        lab.RunUntil(2.0);
        Assert.Contains("1.000 client getsockopt(SO_RCVBUF, SO_SNDBUF) -> 131072 65536", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.StartsWith("0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 1]", lab.Wire.Text(), StringComparison.Ordinal);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        for (int connection = 0; connection < 3; connection++)
        {
            yield return listener.Accept();
            var accepted = p.Accepted!;
            do
            {
                yield return accepted.Recv();
            }
            while (p.LastReceived > 0);

            yield return accepted.Close();
        }
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        int[] sizes = [10000000, 1000000, 1000];
        for (int n = 0; n < sizes.Length; n++)
        {
            foreach (var step in OneClient(p, sizes[n], n))
            {
                yield return step;
            }
        }
    }

    private static IEnumerable<Step> OneClient(ScriptedProcess p, int size, int n)
    {
        yield return Script.Until(1.0 + n);
        var socket = p.Socket();
        yield return socket.Bind($"10.0.1.2:{40000 + n}");
        yield return socket.Buffers();
        yield return socket.SetOptions($"SO_RCVBUF {size}, SO_SNDBUF {size}", o => o with { ReceiveBuffer = size, SendBuffer = size });
        yield return socket.Buffers();
        yield return socket.Connect("10.0.2.2:8080");
        yield return socket.Send(100);
        yield return Script.Until(1.5 + n);
        yield return socket.Close();
    }
}
