using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// SACK compression (the end of __tcp_ack_snd_check, tcp_compressed_ack_kick): a receiver out of quick-ACK mode sends
/// the first three duplicate ACKs at one rcv_nxt at once, then holds the others for 5 % of the round trip (at most
/// tcp_comp_sack_delay_ns) and sends one ACK for all of them. The peer is that of <see cref="SackBlockDialogueTests"/>;
/// the receiver's buffer is tcp_rmem 4096 (window 1448, two quick ACKs, and a window that cannot grow, so held data
/// does not put it back in quick-ACK mode as tcp_grow_window would), and five in-order segments use up the quick ACKs.
/// With 100-byte segments the receiver has no round-trip sample (rcv_rtt_est needs full-sized segments), so the
/// delay is 0: the ACK leaves after what arrives at that instant, as the kernel's hrtimer (0 plus 100 µs of slack)
/// sends it after the segments of one softirq.
/// </summary>
public sealed class SackCompressionDialogueTests
{
    [Fact]
    public void After_three_duplicate_acks_the_rest_are_held_and_sent_as_one()
    {
        // Proves dup_ack_counter and compressed_ack: the hole at 501 and six segments beyond it arriving together.
        // The first three get their duplicate ACK at once; the other three are held and one ACK carries the block
        // of all six (TCPACKCompressed counts the two it replaced). The segment filling the hole is ACKed at once.
        var dialogue = InOrderFirst();
        OutOfOrderBurst(dialogue);
        SackBlockDialogueTests.Send(dialogue, 3.5, 501, 100);
        dialogue.ExpectUntil(3.6,
            """
            1.000000 S. seq ISN ack 1 win 1448
            2.000000 . ack 101 win 1448
            2.041000 . ack 501 win 1072
            3.000000 . ack 501 win 1072 sack {601:701}
            3.000000 . ack 501 win 1072 sack {601:801}
            3.000000 . ack 501 win 1072 sack {601:901}
            3.000000 . ack 501 win 1072 sack {601:1201}
            3.500000 . ack 1201 win 536
            """);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.AcksCompressed);
    }

    [Fact]
    public void With_tcp_comp_sack_nr_zero_every_duplicate_ack_leaves_at_once()
    {
        // Proves the sysctl: compression off (tcp_comp_sack_nr 0), each of the six out-of-order segments is
        // answered at once, as in quick-ACK mode.
        var dialogue = InOrderFirst("net.ipv4.tcp_comp_sack_nr=0");
        OutOfOrderBurst(dialogue);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 1448
            2.000000 . ack 101 win 1448
            2.041000 . ack 501 win 1072
            3.000000 . ack 501 win 1072 sack {601:701}
            3.000000 . ack 501 win 1072 sack {601:801}
            3.000000 . ack 501 win 1072 sack {601:901}
            3.000000 . ack 501 win 1072 sack {601:1001}
            3.000000 . ack 501 win 1072 sack {601:1101}
            3.000000 . ack 501 win 1072 sack {601:1201}
            """);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.AcksCompressed);
    }

    private static Dialogue InOrderFirst(params string[] sysctls)
    {
        var dialogue = SackBlockDialogueTests.Open(sysctls: ["net.ipv4.tcp_rmem=4096 4096 4096", .. sysctls]);
        for (int i = 0; i < 5; i++)
        {
            SackBlockDialogueTests.Send(dialogue, 2.0 + (i * 0.001), (uint)(1 + (i * 100)), 100);
        }

        return dialogue;
    }

    private static void OutOfOrderBurst(Dialogue dialogue)
    {
        for (int i = 0; i < 6; i++)
        {
            SackBlockDialogueTests.Send(dialogue, 3.0, (uint)(601 + (i * 100)), 100);
        }
    }
}
