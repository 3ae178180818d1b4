using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 26 (recorded for this suite): loss recovery after a short partition. The router drops everything
/// from t=1.9 to t=2.6; the client sends 65536 bytes at t=2 and shuts down (reno, GSO off on the kernel).
/// </summary>
public sealed class PartitionRecoveryExperimentTests
{
    [Fact]
    public void Every_segment_lost_in_a_partition_is_repaired_on_the_acks_after_the_rto()
    {
        // Proves against tests/reference/kernel/26-partition-recovery.txt: the initial window of ten segments, the
        // tail loss probe with the eleventh (new data, no PSH), the RTO retransmissions at +0.216 and +0.624 s,
        // the second one through; then, in the Loss state, the ACKs take the window up in slow start and every
        // segment lost in the partition is retransmitted on them: 12 retransmissions in all (2 RTO + 10), as the
        // kernel's TcpRetransSegs counted, and the transfer ends within a few milliseconds of the heal (kernel
        // 1.647 s after the SYN, simulator 1.624). Not compared: after the first ACK the kernel sends two new
        // segments before retransmitting (F-RTO, net.ipv4.tcp_frto, not modelled), and its receiver then holds
        // them out of order, so the ACKs of the repair differ (and its FIN left on its own, after the last data).
        var lab = Lab.Routed();
        var partition = new DropRule(HookPoint.Forward, "FORWARD -j DROP");
        lab.At(1.9, () => lab.AddRule(lab.Router!, partition));
        lab.At(2.6, () => lab.DeleteRule(lab.Router!, partition));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(10);

        var kernel = KernelReference.Load("26-partition-recovery.txt").WireText(withTime: false).Split('\n');
        var simulated = lab.Wire.Text(withTime: false).Split('\n');
        Assert.Equal(kernel[..16], simulated[..16]);
        Assert.Equal(12, lab.ClientStack.Counters.RetransmittedSegments);
        Assert.Equal(2, lab.ClientStack.Counters.Timeouts);
        Assert.Equal(1, lab.ClientStack.Counters.LossProbes);
        Assert.EndsWith("2.624 server recv(65536) -> 0 bytes", lab.Calls.Of("server").Split('\n')[^2], StringComparison.Ordinal);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        do
        {
            yield return p.Accepted!.Recv(65536);
        }
        while (p.LastReceived > 0);

        yield return p.Accepted!.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(65536);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
