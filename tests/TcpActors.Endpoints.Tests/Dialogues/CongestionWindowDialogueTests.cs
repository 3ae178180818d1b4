using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// When ACKs may open the congestion window (tcp_is_cwnd_limited, tcp_cwnd_validate) and what idleness does to it
/// (tcp_slow_start_after_idle_check, tcp_cwnd_restart).
/// </summary>
public sealed class CongestionWindowDialogueTests
{
    private const ushort Window = 65535;

    [Fact]
    public void Acks_of_a_small_request_do_not_open_the_initial_window()
    {
        // Proves tcp_reno_cong_avoid's tcp_is_cwnd_limited: one segment out of a window of ten is not using the
        // window (in slow start the window may grow only while it is under twice the most segments out), so its
        // ACK leaves the window at 10: a 20000-byte write 50 ms later (too soon for the idle restart) leaves as
        // exactly ten segments.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 100), (2.1, 20000)), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue);
        dialogue.Inject(2.05, TcpFlags.Ack, 1, 101, window: Window);
        dialogue.ExpectUntil(2.09,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            """);
        dialogue.ExpectUntil(2.15, Flight(2.1, first: 101, count: 10));
    }

    [Fact]
    public void An_idle_second_takes_a_grown_window_back_to_the_initial_ten()
    {
        // Proves tcp_slow_start_after_idle_check and tcp_cwnd_restart (RFC 5681 4.1): the window grows to 40 in slow
        // start (10, then 20 once the first ten are ACKed, then 40), the last 12 segments leave it unused; after
        // 1.7 s without sending (RTO 300 ms from the 100 ms samples) the next write finds it halved per RTO of
        // idleness down to the initial window, never below: 40, 20, 10. Ten segments leave. Reno, as BBR (the lab's
        // default) sets its window itself and skips this rule. The first write ran out of send buffer after 21
        // sk_buffs (2 × 10 × 2304 = 46080 bytes, reno's factor), so tcp_push marked 29201:30661 PSH before the writer
        // slept (which also moved forced_push's reference past 32121); the ACK at 2.1 freed a third of the buffer
        // and the writer, woken, copied on 277 µs later.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 60000), (4.0, 60000)), "net.ipv4.tcp_congestion_control=reno");
        Handshake(dialogue);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.Inject(2.2, TcpFlags.Ack, 1, 43801, window: Window);
        dialogue.Inject(2.3, TcpFlags.Ack, 1, 60001, window: Window);
        dialogue.ExpectUntil(2.35, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, first: 1, count: 10) + "\n" + Flight(2.1, first: 14601, count: 10)
            + "\n2.100000 P. seq 29201:30661 ack 1 win 64240 length 1460\n" + Flight(2.100277, first: 30661, count: 9, pushAt: 0)
            + "\n" + Flight(2.2, first: 43801, count: 11) + "\n2.200000 P. seq 59861:60001 ack 1 win 64240 length 140");
        dialogue.ExpectUntil(4.05, Flight(4.0, first: 60001, count: 10));
    }

    /// <summary>
    /// Full segments of 1460 bytes, all sent at <paramref name="at"/>; the one starting at <paramref name="pushAt"/>
    /// (32121 unless the write was pushed on the way) carries PSH: the write passed half the peer's largest window
    /// (64240 / 2) beyond the last push there (forced_push).
    /// </summary>
    private static string Flight(double at, int first, int count, int pushAt = 32121) =>
        string.Join('\n', Enumerable.Range(0, count).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{at:F6} {(first + (i * 1460) == pushAt ? "P." : ".")} seq {first + (i * 1460)}:{first + ((i + 1) * 1460)} ack 1 win 64240 length 1460")));

    [Fact]
    public void Acks_of_a_full_window_double_it_in_slow_start()
    {
        // Proves the other side of the rule: ten segments sent until the window was full (is_cwnd_limited), all
        // ACKed, let slow start add one per segment: the next flight is twenty segments.
        var dialogue = Dialogue.WithListener(TimedWrites.Sends((2.0, 60000)));
        Handshake(dialogue);
        dialogue.ExpectUntil(2.05, "1.000000 S. seq ISN ack 1 win 64240\n" + Flight(2.0, first: 1, count: 10));
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 14601, window: Window);
        dialogue.ExpectUntil(2.15, Flight(2.1, first: 14601, count: 20));
    }

    private static void Handshake(Dialogue dialogue)
    {
        // The window is counted in segments on the wire: one MSS per sk_buff (a GSO packet would stand for up to half
        // the window, tcp_cwnd_test, and hide the count).
        dialogue.TurnGsoOff();
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: Window, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: Window);
    }
}
