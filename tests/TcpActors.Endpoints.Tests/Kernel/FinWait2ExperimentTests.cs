using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 11 (behaviour 11): how long FIN-WAIT-2 lasts after close() and after shutdown(SHUT_WR).</summary>
public sealed class FinWait2ExperimentTests
{
    [Fact]
    public void Closed_fin_wait2_ends_after_tcp_fin_timeout_and_a_later_fin_gets_a_reset()
    {
        // Proves behaviour 11 with tcp_fin_timeout=10 against tests/reference/kernel/11-fin-wait2-close-fin10.txt:
        // the orphaned FIN-WAIT-2 is a timewait in its FIN_WAIT2 substate (ss: timer timewait) that ends 10 s
        // after the FIN was acknowledged; the server's FIN at 19 s finds nothing and gets R with seq = its ack.
        var lab = Run(serverCloseAt: 20, shutdownWrite: false, "net.ipv4.tcp_fin_timeout=10");
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]          # kernel 1.003223: a tick later (no data received)
            19.000000 8080>40000 F. seq 1 ack 2 win 64 [TS]
            19.000000 40000>8080 R seq 2 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "11-fin-wait2-close-fin10.txt");
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,9.504ms,0)", SsAt(lab, 2.5)); // kernel 9.376ms at 2.625
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,004ms,0)", SsAt(lab, 12.0));
        Assert.Equal("", SsAt(lab, 12.01));
    }

    [Fact]
    public void Closed_fin_wait2_lasts_the_default_60_s()
    {
        // Proves behaviour 11 with the default tcp_fin_timeout against tests/reference/kernel/11-fin-wait2-close-default.txt:
        // gone 60 s after the FIN was acknowledged (kernel: between 60.3 and 65.4 s), the server's FIN at 69 s gets R.
        var lab = Run(serverCloseAt: 70, shutdownWrite: false);
        Expect.SameAsKernel(lab.Wire, "11-fin-wait2-close-default.txt");
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,004ms,0)", SsAt(lab, 62.0));
        Assert.Equal("", SsAt(lab, 62.01));
    }

    [Fact]
    public void Closed_fin_wait2_with_fin_timeout_above_60_s_spends_the_excess_twice()
    {
        // Proves behaviour 11 with tcp_fin_timeout=65 against tests/reference/kernel/11-fin-wait2-close-fin65.txt:
        // the orphan keeps its full socket on the keepalive timer for the 5 s above TIME_WAIT's 60 (ss:
        // timer keepalive), then tcp_keepalive_timer makes it a FIN_WAIT2 timewait for those 5 s again (ss:
        // timer timewait) — gone 10 s after the FIN was acknowledged, not 65.
        var lab = Run(serverCloseAt: 75, shutdownWrite: false, "net.ipv4.tcp_fin_timeout=65");
        Expect.SameAsKernel(lab.Wire, "11-fin-wait2-close-fin65.txt");
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(keepalive,4.504ms,0)", SsAt(lab, 2.5)); // kernel 4.392ms at 2.608
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,4.004ms,0)", SsAt(lab, 8.0)); // kernel 4.244ms at 8.0
        Assert.Equal("", SsAt(lab, 12.01));
    }

    [Fact]
    public void Fin_wait2_after_shutdown_write_has_no_timer_and_waits_for_the_peer_fin()
    {
        // Proves behaviour 11 against tests/reference/kernel/11-fin-wait2-shutwr.txt: a socket the application
        // still holds after shutdown(SHUT_WR) stays in FIN-WAIT-2 with no timer for 91 s, until the server's FIN
        // moves it to TIME-WAIT; its recv() then returns 0.
        var lab = Run(serverCloseAt: 93, shutdownWrite: true);
        // That run's connect() came 0.246 s late (calls 1.246), so its later wire times are 0.246 s early.
        Expect.SameAsKernel(lab.Wire, "11-fin-wait2-shutwr.txt", earlySeconds: 0.25);
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080", SsAt(lab, 85.0));
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,58sec,0)", SsAt(lab, 95.0));
        Assert.Contains("93.000 client recv(65536) -> 0 bytes", lab.Calls.Of("client"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11-fin-wait2-close-fin10.txt", 20, false, "net.ipv4.tcp_fin_timeout=10")]
    [InlineData("11-fin-wait2-close-fin65.txt", 75, false, "net.ipv4.tcp_fin_timeout=65")]
    [InlineData("11-fin-wait2-close-default.txt", 70, false, null)]
    [InlineData("11-fin-wait2-shutwr.txt", 93, true, null)]
    public void Ss_info_matches_the_kernel_for_the_fields_the_simulator_models(string reference, double serverCloseAt, bool shutdownWrite, string? sysctl)
    {
        // Proves the tcp_info of a socket in FIN-WAIT-2 (a full socket: after shutdown(SHUT_WR), or an orphan above 60 s
        // of tcp_fin_timeout; the others are timewait sockets, which ss prints without an info line, as here) against
        // every ss -tanoi snapshot that has one: the fields SsInfoFields.Modelled lists exactly; the ages
        // within two jiffies (8 ms: ss read the clock a few ms after the label). The shutwr run's connect() came
        // 0.246 s late (see above), so its ages since the handshake (lastsnd, lastrcv: no data was sent or received)
        // are 0.246 s shorter than the simulation's; and its ss read the clock up to 25 ms after the label (lastack
        // 972 ms at the 2.953 label, after the FIN's ACK at 2.004): the kernel's ages may be up to 32 ms longer there.
        var lab = Lab.Routed(client: sysctl is null ? [] : [sysctl]);
        lab.Run("server", lab.Server, p => Server(p, serverCloseAt));
        lab.Run("client", lab.Client, p => Client(p, shutdownWrite));
        var taken = SsInfoFields.AtEverySnapshot(lab, reference, _ => lab.ClientStack);
        string early = "";
        lab.At(2.5, () => early = SsFormatter.Format(lab.ClientStack.Snapshot(), new SsOptions { All = true, ShowTimers = true, ShowInfo = true }));
        lab.RunUntil(serverCloseAt + 2.5);
        Assert.Contains("FIN-WAIT-2", early, StringComparison.Ordinal);
        if (KernelReference.Load(reference).Section("ss").All(l => !l.StartsWith('\t')))
        {
            // fin10, default: the orphan is a timewait socket at once, and neither ss prints an info line for it.
            Assert.Empty(taken);
            Assert.DoesNotContain("\t", early, StringComparison.Ordinal);
        }

        foreach (var (heading, kernel, simulated) in taken)
        {
            Assert.True(simulated is not null, $"{heading}: the kernel shows {kernel.Line}, the simulator no such socket");
            SsInfoFields.AssertSame(kernel, simulated, SsInfoFields.Modelled);
            double lateConnect = shutdownWrite ? 246 : 0;
            double lateRead = shutdownWrite ? 32 : 8;
            Assert.InRange(simulated.Number("lastsnd") - kernel.Number("lastsnd"), lateConnect - lateRead, lateConnect + 8);
            Assert.InRange(simulated.Number("lastrcv") - kernel.Number("lastrcv"), lateConnect - lateRead, lateConnect + 8);
            Assert.InRange(simulated.Number("lastack") - kernel.Number("lastack"), -lateRead, 8);
        }
    }

    private static string SsAt(Lab lab, double seconds) =>
        lab.SsLog.Single(s => s.StartsWith($"### {Runtime.SimTime.FromSeconds(seconds)} ", StringComparison.Ordinal)).Split('\n')[1];

    private static Lab Run(double serverCloseAt, bool shutdownWrite, params string[] clientSysctls)
    {
        var lab = Lab.Routed(client: clientSysctls);
        lab.Run("server", lab.Server, p => Server(p, serverCloseAt));
        lab.Run("client", lab.Client, p => Client(p, shutdownWrite));
        foreach (double t in new[] { 2.5, 8.0, 12.0, 12.01, 62.0, 62.01, 85.0, 95.0 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
        }

        lab.RunUntil(serverCloseAt + 2.5);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, double closeAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return Script.Until(closeAt);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, bool shutdownWrite)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        if (!shutdownWrite)
        {
            yield return socket.Close();
            yield break;
        }

        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return Script.Sleep(1);
        yield return socket.Close();
    }
}
