using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 34: a FIN that arrives beyond a hole is held with the out-of-order data (tcp_data_queue_ofo keeps
/// the segment whole), SACKed with the sequence number it takes, and processed when the hole is filled
/// (tcp_ofo_queue calls tcp_fin): the peer need not send it again.
/// </summary>
public sealed class OutOfOrderFinExperimentTests
{
    [Theory]
    [InlineData("data", 101u, 100, 100)]
    [InlineData("bare", 201u, 0, 200)]
    public void A_fin_beyond_a_hole_is_sacked_held_and_taken_when_the_hole_fills(string variant, uint finSegmentSeq, int finSegmentLength, int fillLength)
    {
        // Proves against tests/reference/kernel/34-out-of-order-fin-data.txt and -bare.txt: a segment with a FIN
        // beyond a hole (101:201 with FIN, or a FIN alone at 201) is ACKed at once with a SACK block that covers
        // the FIN too ({101:202}, {201:202}); the data that fills the hole is ACKed with ack 202, FIN included,
        // and the application reads the 200 bytes and then the end of the stream (CLOSE-WAIT).
        var dialogue = Dialogue.WithListener((p, socket) => ReadToEnd(p, socket));
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1001 });
        dialogue.Inject(1.0003, TcpFlags.Ack, 1, 1);
        var finFlags = TcpFlags.Fin | TcpFlags.Ack | (finSegmentLength > 0 ? TcpFlags.Psh : 0);
        dialogue.Inject(2.0, finFlags, finSegmentSeq, 1, finSegmentLength);
        dialogue.Inject(2.2, TcpFlags.Psh | TcpFlags.Ack, 1, 1, fillLength);
        dialogue.Lab.RunUntil(3.0);
        // Compared up to the server's own close at the end of the kernel's script.
        Expect.SameAsKernel(dialogue.Lab.Wire, $"34-out-of-order-fin-{variant}.txt", untilSeconds: 2.0);
        Assert.Equal(TcpState.CloseWait, dialogue.Lab.ServerStack.Snapshot().Single(s => s.State != TcpState.Listen).State);
        Assert.Contains("2.200 server recv(65536) -> 200 bytes", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal);
        Assert.Contains("2.200 server recv(65536) -> 0 bytes", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal);
    }

    private static IEnumerable<Step> ReadToEnd(ScriptedProcess p, Sock socket)
    {
        do
        {
            yield return socket.Recv();
        }
        while (p.LastReceived > 0);

        yield return Script.Until(60);
    }
}
