using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 40: tcp_cwnd_application_limited (RFC 2861). A congestion window the application leaves unused for an
/// RTO after the last ACK that delivered data (snd_cwnd_stamp) shrinks halfway toward what was used, at least the
/// initial window, at the next send (tcp_cwnd_validate). The kernel ran reno (BBR has cong_control and skips it).
/// </summary>
public sealed class CwndApplicationLimitedExperimentTests
{
    [Fact]
    public void A_window_left_unused_for_an_rto_shrinks_toward_the_initial_window()
    {
        // Proves against tests/reference/kernel/40-cwnd-application-limited.txt: slow start takes the window to 40 (10
        // segments, then 20, each ACKed); then one 100-byte segment every 150 ms, ACKed two at a time, puts every second
        // send about 290 ms after the last ACK, 72 or 73 ticks of 4 ms. That is an RTO (212, then 232 ms) twice: the
        // window goes 40 → 25 → 17; RTT samples of 160 ms raise the RTO to 292 ms (73 ticks), reached once more at
        // 2.6 (tick 650 against the stamp's 577: 13), then to 352 ms and more. The 50-segment write at the end goes out
        // 13 segments at once (40 without the shrink).
        var dialogue = Dialogue.WithListener(Server, "net.ipv4.tcp_early_retrans=0", "net.ipv4.tcp_congestion_control=reno");
        dialogue.Timestamps = true;
        dialogue.Lab.SetGsoMaxSegs(dialogue.Lab.Server, 1); // s0: gso_max_segs 1, as the script sets it
        // The raw peer's times as the kernel run logged them (its ACKs about 0.1 ms apart).
        dialogue.Inject(1.001, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1002, HasWindowScale = true, WindowScale = 7 });
        dialogue.Inject(1.0012, TcpFlags.Ack, 1, 1, window: 1000);
        for (int k = 1; k <= 10; k++)
        {
            dialogue.Inject(1.511 + (k * 0.0001), TcpFlags.Ack, 1, (uint)(1 + (1448 * k)), window: 1000);
        }

        for (int k = 11; k <= 30; k++)
        {
            dialogue.Inject(1.711 + (k * 0.0001), TcpFlags.Ack, 1, (uint)(1 + (1448 * k)), window: 1000);
        }

        for (int k = 0; k < 5; k++)
        {
            dialogue.Inject(2.01 + (0.3 * k), TcpFlags.Ack, 1, (uint)(1 + (1448 * 30) + (200 * (k + 1))), window: 1000);
        }

        // ss -i's cwnd at the kernel's snapshot times (1.8: 40, 2.05: 25, 2.35: 17, 3.3: 13).
        var windows = new List<int?>();
        foreach (double at in (double[])[1.8, 2.05, 2.35, 3.3])
        {
            dialogue.Lab.At(at, () => windows.Add(dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established).CongestionWindow));
        }

        dialogue.Lab.RunUntil(3.6);
        Expect.SameAsKernel(dialogue.Lab.Wire, "40-cwnd-application-limited.txt", untilSeconds: 2.5);
        Assert.Equal(13, dialogue.Lab.Wire.Segments.Count(s => s.Record.Length == 1448 && s.At >= 3_350_000_000));
        Assert.Equal([40, 25, 17, 13], windows);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return socket.SetOptions("TCP_NODELAY 1", o => o with { NoDelay = true });
        yield return Script.Until(1.5);
        yield return socket.Send(14480);
        yield return Script.Until(1.7);
        yield return socket.Send(28960);
        for (int k = 0; k < 10; k++)
        {
            yield return Script.Until(1.85 + (0.15 * k));
            yield return socket.Send(100);
        }

        yield return Script.Until(3.35);
        yield return socket.Send(72400);
        yield return Script.Until(4.5);
    }
}
