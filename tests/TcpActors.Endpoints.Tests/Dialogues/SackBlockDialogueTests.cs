using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// The SACK option a receiver sends as out-of-order data arrives, block by block (RFC 2018 as Linux keeps
/// tp->selective_acks: tcp_sack_new_ofo_skb, tcp_sack_maybe_coalesce, tcp_sack_remove). The peer opens with
/// MSS 1460, SACK and timestamps and no window scaling, as in tests/reference/kernel/32-sack-blocks-ts.txt
/// (whose every window and option the simulator matches, SackBlocksExperimentTests): the window stays in
/// bytes, its right edge fixed at 65161, and three blocks fit beside the timestamps. The server never reads.
/// </summary>
public sealed class SackBlockDialogueTests
{
    [Fact]
    public void Three_holes_filled_in_an_unusual_order_merge_their_blocks_into_the_front_one()
    {
        // Proves tcp_sack_new_ofo_skb on the three-hole part of experiment 32: each new block goes to the front;
        // the segment filling 401:501 extends the front block {501:601} and it swallows {301:401}, which it now
        // touches, the untouched {101:201} keeping its place behind; filling 201:301 makes one block; the first
        // hole's segment delivers all 600 bytes and the option disappears with the out-of-order data.
        var dialogue = Open();
        Send(dialogue, 2.0, 301, 100);
        Send(dialogue, 2.2, 101, 100);
        Send(dialogue, 2.4, 501, 100);
        Send(dialogue, 2.6, 401, 100);
        Send(dialogue, 2.8, 201, 100);
        Send(dialogue, 3.0, 1, 100);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {301:401}
            2.200000 . ack 1 win 65160 sack {101:201} {301:401}
            2.400000 . ack 1 win 65160 sack {501:601} {101:201} {301:401}
            2.600000 . ack 1 win 65160 sack {301:601} {101:201}
            2.800000 . ack 1 win 65160 sack {101:601}
            3.000000 . ack 601 win 64560
            """);
    }

    [Fact]
    public void Five_holes_report_the_three_most_recent_blocks_and_the_fifth_forgets_the_oldest()
    {
        // Proves the four-block memory (TCP_NUM_SACKS) and the option's room: five segments beyond five holes,
        // arriving 501, 101, 901, 301, 701. The option carries the three most recent blocks; the fifth block
        // pushes the oldest, {501:601}, out of the four remembered, so it is never reported again although its
        // data stays held: when in-order data reaches it, it is delivered (ack 601 at 3.6 s) with no block to
        // remove, while the blocks in-order data reaches are removed one by one, the others keeping their order.
        var dialogue = Open();
        Send(dialogue, 2.0, 501, 100);
        Send(dialogue, 2.2, 101, 100);
        Send(dialogue, 2.4, 901, 100);
        Send(dialogue, 2.6, 301, 100);
        Send(dialogue, 2.8, 701, 100);
        Send(dialogue, 3.0, 1, 100);
        Send(dialogue, 3.2, 201, 100);
        Send(dialogue, 3.4, 401, 100);
        Send(dialogue, 3.6, 601, 100);
        Send(dialogue, 3.8, 801, 100);
        dialogue.ExpectUntil(3.9,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {501:601}
            2.200000 . ack 1 win 65160 sack {101:201} {501:601}
            2.400000 . ack 1 win 65160 sack {901:1001} {101:201} {501:601}
            2.600000 . ack 1 win 65160 sack {301:401} {901:1001} {101:201}
            2.800000 . ack 1 win 65160 sack {701:801} {301:401} {901:1001}
            3.000000 . ack 201 win 64960 sack {701:801} {301:401} {901:1001}
            3.200000 . ack 401 win 64760 sack {701:801} {901:1001}
            3.400000 . ack 601 win 64560 sack {701:801} {901:1001}
            3.600000 . ack 801 win 64360 sack {901:1001}
            3.800000 . ack 1001 win 64160
            """);
    }

    [Fact]
    public void Without_timestamps_four_blocks_fit_and_the_forgotten_one_is_still_missing()
    {
        // Proves the option's room without timestamps (40 bytes: four blocks) with the five holes above: the
        // fifth out-of-order segment's ACK carries all four remembered blocks, and still not {501:601}.
        var dialogue = Open(timestamps: false);
        Send(dialogue, 2.0, 501, 100);
        Send(dialogue, 2.2, 101, 100);
        Send(dialogue, 2.4, 901, 100);
        Send(dialogue, 2.6, 301, 100);
        Send(dialogue, 2.8, 701, 100);
        dialogue.ExpectUntil(2.9,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240 sack {501:601}
            2.200000 . ack 1 win 64240 sack {101:201} {501:601}
            2.400000 . ack 1 win 64240 sack {901:1001} {101:201} {501:601}
            2.600000 . ack 1 win 64240 sack {301:401} {901:1001} {101:201} {501:601}
            2.800000 . ack 1 win 64240 sack {701:801} {301:401} {901:1001} {101:201}
            """);
    }

    [Fact]
    public void A_hole_filled_between_two_blocks_merges_them_at_the_front()
    {
        // Proves tcp_sack_maybe_coalesce after a rotation: with {601:701} {301:401} {101:201} reported, the
        // segment 201:301 touches {301:401} first (the search goes front to back), which grows to {201:401} and
        // moves to the front, where it swallows {101:201}; {601:701} drops to second place.
        var dialogue = Open();
        Send(dialogue, 2.0, 101, 100);
        Send(dialogue, 2.2, 301, 100);
        Send(dialogue, 2.4, 601, 100);
        Send(dialogue, 2.6, 201, 100);
        dialogue.ExpectUntil(2.7,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {101:201}
            2.200000 . ack 1 win 65160 sack {301:401} {101:201}
            2.400000 . ack 1 win 65160 sack {601:701} {301:401} {101:201}
            2.600000 . ack 1 win 65160 sack {101:401} {601:701}
            """);
    }

    [Fact]
    public void In_order_data_removes_the_blocks_it_reaches_and_keeps_the_others_in_order()
    {
        // Proves tcp_sack_remove: in-order data that reaches held data delivers it and removes its block, the
        // remaining blocks keeping their order; once nothing is held out of order the option is gone. The
        // segment 1:201 delivers 201:301 with it (ack 301), then 301:401 delivers 401:501, then 501:601 the rest.
        var dialogue = Open();
        Send(dialogue, 2.0, 201, 100);
        Send(dialogue, 2.2, 401, 100);
        Send(dialogue, 2.4, 601, 100);
        Send(dialogue, 2.6, 1, 200);
        Send(dialogue, 2.8, 301, 100);
        Send(dialogue, 3.0, 501, 100);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {201:301}
            2.200000 . ack 1 win 65160 sack {401:501} {201:301}
            2.400000 . ack 1 win 65160 sack {601:701} {401:501} {201:301}
            2.600000 . ack 301 win 64860 sack {601:701} {401:501}
            2.800000 . ack 501 win 64660 sack {601:701}
            3.000000 . ack 701 win 64460
            """);
    }

    [Fact]
    public void Data_held_beyond_a_held_fin_is_discarded_when_the_fin_is_taken()
    {
        // Proves tcp_fin's purge for a FIN that was held out of order: 101:201 with a FIN is SACKed with the FIN's
        // sequence number ({101:202}); a segment beyond the FIN (301:401, which no peer should send) is held and
        // SACKed too; when 1:101 fills the hole, the held FIN is taken (ack 202), the data beyond it is discarded
        // and the SACK state forgotten with it, and the socket is in CLOSE-WAIT.
        var dialogue = Open();
        dialogue.Inject(2.0, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 101, 1, 100);
        Send(dialogue, 2.2, 301, 100);
        Send(dialogue, 2.4, 1, 100);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {101:202}
            2.200000 . ack 1 win 65160 sack {301:401} {101:202}
            2.400000 . ack 202 win 64959
            """);
        Assert.Equal(TcpState.CloseWait, dialogue.Lab.ServerStack.Snapshot().Single(s => s.State != TcpState.Listen).State);
    }

    /// <summary>A server that accepts and then holds the connection without reading, and a peer that opened it with SACK.</summary>
    internal static Dialogue Open(bool timestamps = true, string[]? sysctls = null)
    {
        var dialogue = Dialogue.WithListener((_, _) => Idle(), sysctls ?? []);
        dialogue.Timestamps = timestamps;
        var syn = new TcpOptions { Mss = 1460, SackPermitted = true };
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: timestamps ? syn with { HasTimestamps = true, TsVal = 1001 } : syn);
        dialogue.Inject(1.0003, TcpFlags.Ack, 1, 1);
        return dialogue;
    }

    /// <summary>A data segment from the peer: <paramref name="length"/> bytes from relative <paramref name="seq"/>.</summary>
    internal static void Send(Dialogue dialogue, double at, uint seq, int length) =>
        dialogue.Inject(at, TcpFlags.Psh | TcpFlags.Ack, seq, 1, length);

    private static IEnumerable<Step> Idle()
    {
        yield return Script.Until(60);
    }
}
