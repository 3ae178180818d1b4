using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// D-SACK (RFC 2883) for data that arrives again beyond a hole, as tcp_data_queue_ofo reports it (tcp_dsack_set,
/// tcp_dsack_extend), and for held data that in-order data passes over (tcp_ofo_queue). The D-SACK block goes
/// first, once, then the remembered SACK blocks as far as the option has room. Same peer and server as
/// <see cref="SackBlockDialogueTests"/>; experiment 32's part E is the kernel's recording of such cases.
/// </summary>
public sealed class DuplicateSackDialogueTests
{
    [Fact]
    public void An_out_of_order_segment_held_already_is_dsacked_once_before_its_block()
    {
        // Proves "all the bits are present": 101:201 again, inside the held 101:301, is dropped and reported as
        // a D-SACK ahead of the block that holds it (which moves to the front, unchanged); the next ACK carries
        // no D-SACK.
        var dialogue = SackBlockDialogueTests.Open();
        SackBlockDialogueTests.Send(dialogue, 2.0, 101, 200);
        SackBlockDialogueTests.Send(dialogue, 2.2, 101, 100);
        SackBlockDialogueTests.Send(dialogue, 2.4, 401, 100);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {101:301}
            2.200000 . ack 1 win 65160 sack {101:201} {101:301}
            2.400000 . ack 1 win 65160 sack {401:501} {101:301}
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.OutOfOrderMerged);
    }

    [Fact]
    public void Overlaps_with_held_data_are_dsacked_where_they_start_and_where_they_end()
    {
        // Proves tcp_data_queue_ofo's overlaps: 251:351 starts inside the held 201:301 (D-SACK 251:301, the
        // segment held after it); 201:551 starts where 201:301 does and covers it, so it replaces it, and it
        // covers 251:351 and 401:501 too, which go: the D-SACK starts with 201:301, extends over 251:351 which
        // touches it, but not over 401:501 which does not; then 561:661 ends inside the held 601:701 (D-SACK
        // 601:661). Beside timestamps a D-SACK leaves room for two SACK blocks.
        var dialogue = SackBlockDialogueTests.Open();
        SackBlockDialogueTests.Send(dialogue, 2.0, 201, 100);
        SackBlockDialogueTests.Send(dialogue, 2.2, 401, 100);
        SackBlockDialogueTests.Send(dialogue, 2.4, 251, 100);
        SackBlockDialogueTests.Send(dialogue, 2.6, 201, 350);
        SackBlockDialogueTests.Send(dialogue, 2.8, 601, 100);
        SackBlockDialogueTests.Send(dialogue, 3.0, 561, 100);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {201:301}
            2.200000 . ack 1 win 65160 sack {401:501} {201:301}
            2.400000 . ack 1 win 65160 sack {251:301} {201:351} {401:501}
            2.600000 . ack 1 win 65160 sack {201:351} {201:551}
            2.800000 . ack 1 win 65160 sack {601:701} {201:551}
            3.000000 . ack 1 win 65160 sack {601:661} {561:701} {201:551}
            """);
        Assert.Equal(3, dialogue.Lab.ServerStack.Counters.OutOfOrderMerged);
    }

    [Fact]
    public void In_order_data_over_held_data_dsacks_the_first_held_buffer_and_what_touches_it()
    {
        // Proves tcp_ofo_queue's D-SACK (as fixed in 2025 and recorded in experiment 32): 1:451 arrives in
        // order over the held 101:301 and 351:401; each held buffer below the new rcv_nxt extends the D-SACK by
        // its part below it if it touches the block so far, so the D-SACK is 101:301 (351:401 does not touch
        // it). Both are dropped, their blocks removed; {501:601} stays, behind the D-SACK.
        var dialogue = SackBlockDialogueTests.Open();
        SackBlockDialogueTests.Send(dialogue, 2.0, 101, 100);
        SackBlockDialogueTests.Send(dialogue, 2.2, 201, 100);
        SackBlockDialogueTests.Send(dialogue, 2.4, 351, 50);
        SackBlockDialogueTests.Send(dialogue, 2.6, 501, 100);
        SackBlockDialogueTests.Send(dialogue, 2.8, 1, 450);
        SackBlockDialogueTests.Send(dialogue, 3.0, 451, 50);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 65160
            2.000000 . ack 1 win 65160 sack {101:201}
            2.200000 . ack 1 win 65160 sack {101:301}
            2.400000 . ack 1 win 65160 sack {351:401} {101:301}
            2.600000 . ack 1 win 65160 sack {501:601} {351:401} {101:301}
            2.800000 . ack 451 win 64710 sack {101:301} {501:601}
            3.000000 . ack 601 win 64560
            """);
    }

    [Fact]
    public void Without_timestamps_a_dsack_goes_with_three_sack_blocks()
    {
        // Proves the option's room without timestamps: a D-SACK and three remembered blocks, four in all; the
        // repeated segment's block moves to the front.
        var dialogue = SackBlockDialogueTests.Open(timestamps: false);
        SackBlockDialogueTests.Send(dialogue, 2.0, 101, 100);
        SackBlockDialogueTests.Send(dialogue, 2.2, 301, 100);
        SackBlockDialogueTests.Send(dialogue, 2.4, 501, 100);
        SackBlockDialogueTests.Send(dialogue, 2.6, 301, 100);
        dialogue.ExpectUntil(2.7,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240 sack {101:201}
            2.200000 . ack 1 win 64240 sack {301:401} {101:201}
            2.400000 . ack 1 win 64240 sack {501:601} {301:401} {101:201}
            2.600000 . ack 1 win 64240 sack {301:401} {301:401} {501:601} {101:201}
            """);
    }
}
