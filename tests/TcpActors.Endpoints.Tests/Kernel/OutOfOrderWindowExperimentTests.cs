using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 35: the window a receiver offers while it holds out-of-order data. With SACK, tcp_data_queue_ofo
/// grows rcv_ssthresh on held data as tcp_event_data_recv does on in-order data (tcp_grow_window), so the
/// window its duplicate ACKs offer keeps opening (without SACK it must not, so that they stay duplicates).
/// </summary>
public sealed class OutOfOrderWindowExperimentTests
{
    [Fact]
    public void Held_out_of_order_data_opens_the_window_with_sack()
    {
        // Proves against tests/reference/kernel/35-out-of-order-window.txt: after 1448 bytes in order (win 67 at
        // wscale 10), each 1448-byte segment held beyond a hole opens the window, 70, 73, 75, exactly as the
        // kernel's do (without tcp_grow_window on held data they all said 67). From the fourth held segment on
        // the kernel offers 75, 75, 75, then 71, 75, 79 where the simulator offers 77, 77, 77, 78, 78, 80: a raw
        // socket's segments arrive in kmalloc'ed linear buffers of truesize 2304 that cannot be coalesced (the
        // kernel's ss shows r13824 for the six held segments), where the simulator charges what a TCP sender's
        // cost (2280, and 1448 for each one coalesced: 10352), so the kernel's free space ends lower. The rest
        // of the exchange (acknowledgements, SACK blocks) is the kernel's to the end.
        var dialogue = Dialogue.WithListener((p, socket) => ReadToEnd(p, socket));
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1001, HasWindowScale = true, WindowScale = 7 });
        dialogue.Inject(1.0003, TcpFlags.Ack, 1, 1);
        foreach (var (at, seq, length) in new (double, uint, int)[]
        {
            (2.00, 1, 1448), (2.01, 2897, 1448), (2.02, 4345, 1448), (2.03, 5793, 1448), (2.04, 8689, 1448),
            (2.05, 10137, 1448), (2.06, 11585, 1448), (2.10, 1449, 1448), (2.11, 7241, 1448), (2.30, 13033, 968),
        })
        {
            dialogue.Inject(at, TcpFlags.Ack, seq, 1, length);
        }

        dialogue.Lab.RunUntil(3.0);
        // Up to the third held segment's ACK (the fourth is sent at 1.04).
        Expect.SameAsKernel(dialogue.Lab.Wire, "35-out-of-order-window.txt", untilSeconds: 1.038);
        Expect.SameAsKernel(dialogue.Lab.Wire, "35-out-of-order-window.txt", windows: false);
    }

    private static IEnumerable<Step> ReadToEnd(ScriptedProcess p, Sock socket)
    {
        do
        {
            yield return socket.Recv();
        }
        while (p.LastReceived > 0);
    }
}
