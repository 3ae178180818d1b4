using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 05 (behaviour 5): the router drops the client's data segments; retransmission until tcp_retries2.</summary>
public sealed class LostDataExperimentTests
{
    [Fact]
    public void Lost_data_gets_a_loss_probe_then_doubling_retransmissions_and_times_out_after_the_retries2_5_budget()
    {
        // Proves behaviour 5 with tcp_retries2=5 against tests/reference/kernel/05-lost-data-retries2-5.txt:
        // a tail loss probe 204 ms after the send, RTO retransmissions from 204 ms doubling, no RST; the
        // budget (2^6 - 1) × 200 ms = 12.6 s counts from the first RTO retransmission and is checked when
        // the timer fires, so recv() fails ETIMEDOUT 13.056 s after the send; the next send() gets EPIPE.
        var lab = Run("net.ipv4.tcp_retries2=5");
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.204000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 1.204488: tail loss probe
            1.408000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 1.412488: RTO 204 ms
            1.816000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 1.840501
            2.632000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 2.672506
            4.264000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 4.336498
            7.528000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100   # kernel 7.632509
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "05-lost-data-retries2-5.txt");
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            2.000 client send(100 bytes) -> 100
            15.056 client recv(1000) -> ETIMEDOUT    # kernel 15.289
            15.056 client send(10 bytes) -> EPIPE
            15.056 client close() -> 0
            """,
            lab.Calls.Of("client"));
        Assert.Equal("ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,104ms,0)", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("ESTAB 0 100 10.0.1.2:40000 10.0.2.2:8080 timer:(on,316ms,1)", lab.SsLog[1].Split('\n')[1]);
    }

    [Fact]
    public void Lost_data_with_default_retries2_is_retransmitted_16_times_with_the_rto_capped_at_120_s()
    {
        // Proves behaviour 5 with the default tcp_retries2=15 against tests/reference/kernel/05-lost-data-default.txt:
        // one loss probe and 15 RTO retransmissions, the RTO capped at 120 s from the eleventh; the 924.6 s
        // budget from the first RTO retransmission is spent at the firing 929.896 s after the send
        // (kernel: 939.16 s, its timers late).
        var lab = Run();
        Expect.SameAsKernel(lab.Wire, "05-lost-data-default.txt");
        Assert.Equal(20, lab.Wire.Segments.Count);
        Assert.Equal("808.896000", WireText.Seconds(lab.Wire.Segments[^1].At - lab.Wire.Origin!.Value - 1_000_000_000)); // after the send; kernel 818.324
        Assert.Contains("930.896 client recv(1000) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 941.157
    }

    [Fact]
    public void Lost_data_with_retries2_3_times_out_at_the_first_firing_past_a_3_s_budget()
    {
        // Proves behaviour 5 with tcp_retries2=3 against tests/reference/kernel/05-lost-data-retries2-3.txt:
        // the budget (2^4 - 1) × 200 ms = 3 s from the first RTO retransmission still allows the one at +3.264 s
        // (2.856 s in), and the next firing (+6.528 s) gives up: ETIMEDOUT, no RST.
        var lab = Run("net.ipv4.tcp_retries2=3");
        Expect.SameAsKernel(lab.Wire, "05-lost-data-retries2-3.txt");
        Assert.Equal(9, lab.Wire.Segments.Count);
        Assert.Contains("8.528 client recv(1000) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal);
    }

    private static Lab Run(params string[] clientSysctls)
    {
        var lab = Lab.Routed(client: clientSysctls);
        lab.At(1.5, () => lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -d 10.0.2.2 -p tcp -m length --length 53:65535 -j DROP")));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.At(2.1, () => lab.Ss(lab.Client, "client after send"));
        lab.At(2.5, () => lab.Ss(lab.Client, "client"));
        lab.RunUntil(1000);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(100);
        yield return socket.Recv(1000);
        yield return socket.Send(10);
        yield return socket.Close();
    }
}
