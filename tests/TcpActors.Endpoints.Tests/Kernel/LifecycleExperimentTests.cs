using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 01 (behaviour 1): a normal connection lifecycle, on loopback and over the router.</summary>
public sealed class LifecycleExperimentTests
{
    [Fact]
    public void Routed_lifecycle_matches_the_kernel_segment_for_segment()
    {
        // Proves behaviour 1 against tests/reference/kernel/01-lifecycle-routed.txt.
        var lab = Lab.Routed();
        Run(lab);
        lab.RunUntil(4.0);
        Expect.SameAsKernel(lab.Wire, "01-lifecycle-routed.txt");
    }

    [Fact]
    public void Loopback_lifecycle_matches_the_kernel_segment_for_segment()
    {
        // Proves behaviour 1 against tests/reference/kernel/01-lifecycle-loopback.txt.
        var lab = Lab.Loopback();
        Run(lab);
        lab.RunUntil(4.0);
        Expect.SameAsKernel(lab.Wire, "01-lifecycle-loopback.txt");
    }

    private static void Run(Lab lab)
    {
        string server = lab.ServerAddress + ":8080";
        lab.Run("server", lab.Server, p => Server(p, server));
        lab.Run("client", lab.Client, p => Client(p, lab.ClientAddress + ":40000", server));
    }

    internal static IEnumerable<Step> Server(ScriptedProcess p, string address)
    {
        var listener = p.Socket(new SocketOptions { ReuseAddress = true });
        yield return listener.Bind(address);
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv(1000);
        yield return Script.Sleep(0.3);
        yield return connection.Send(50);
        yield return connection.Recv(1000);
        yield return Script.Until(2.5);
        yield return connection.Close();
    }

    internal static IEnumerable<Step> Client(ScriptedProcess p, string local, string server)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind(local);
        yield return socket.Connect(server);
        yield return socket.Send(100);
        yield return socket.Recv(1000);
        yield return Script.Until(2.0);
        yield return socket.Close();
    }
}
