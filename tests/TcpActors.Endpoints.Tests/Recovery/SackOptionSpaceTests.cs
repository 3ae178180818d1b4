using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Recovery;

/// <summary>
/// Segments that carry SACK blocks still fit the MTU (no kernel recording; the rules are tcp_current_mss's,
/// tcp_established_options's and __tcp_retransmit_skb's): the options in use come out of the segment's data.
/// </summary>
public sealed class SackOptionSpaceTests
{
    [Fact]
    public void New_data_sent_while_holding_out_of_order_data_is_cut_to_leave_room_for_the_sack_block()
    {
        // Proves tcp_current_mss: the peer (MSS 1460, SACK, no timestamps) leaves a hole in its data, so the
        // server's segments carry a 12-byte SACK option; a 4000-byte write goes out in segments of 1448 bytes,
        // not 1460, which would make 1512-byte packets that the server's own 1500-byte link drops (before, every
        // such segment and each of its retransmissions). Once the hole is filled the SACK option goes and full
        // 1460-byte segments return.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, (2.0, 4000), (3.0, 4000)));
        dialogue.TurnGsoOff(); // each segment's size is what is proven; with GSO the write is one packet of gso_size 1448
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(1.5, TcpFlags.Ack, 101, 1, length: 100, window: 65535);
        dialogue.Inject(2.001, TcpFlags.Ack, 201, 4001, window: 65535);
        dialogue.Inject(2.5, TcpFlags.Ack, 1, 4001, length: 100, window: 65535);
        dialogue.Inject(3.001, TcpFlags.Ack, 201, 8001, window: 65535);
        dialogue.ExpectUntil(4.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.500000 . ack 1 win 64240 sack {101:201}
            2.000000 . seq 1:1449 ack 1 win 64240 sack {101:201} length 1448
            2.000000 . seq 1449:2897 ack 1 win 64240 sack {101:201} length 1448
            2.000000 P. seq 2897:4001 ack 1 win 64240 sack {101:201} length 1104
            2.500000 . ack 201 win 64040
            3.000000 . seq 4001:5461 ack 201 win 64040 length 1460
            3.000000 . seq 5461:6921 ack 201 win 64040 length 1460
            3.000000 P. seq 6921:8001 ack 201 win 64040 length 1080
            """);
    }

    [Fact]
    public void A_retransmission_sent_while_holding_out_of_order_data_is_split_to_fit()
    {
        // Proves __tcp_retransmit_skb's tcp_fragment to the current MSS: the server's 1460-byte segment, sent
        // before the peer left a hole in its own data, is lost; when the RTO retransmits it, it would carry a
        // SACK block, so it goes out as 1448 bytes (and again at the next RTO). When the peer acknowledges
        // those and fills its hole, the last 12 bytes follow as a segment of their own (still with the SACK
        // block: the retransmission leaves while the ACK is processed, before the data is), then the ACK.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, (2.0, 1460)));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.1, TcpFlags.Ack, 101, 1, length: 100, window: 65535);
        dialogue.Inject(2.5, TcpFlags.Ack, 1, 1449, length: 100, window: 65535);
        dialogue.ExpectUntil(2.9,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:1461 ack 1 win 64240 length 1460
            2.100000 . ack 1 win 64240 sack {101:201}
            2.204000 . seq 1:1449 ack 1 win 64240 sack {101:201} length 1448
            2.408000 . seq 1:1449 ack 1 win 64240 sack {101:201} length 1448
            2.500000 P. seq 1449:1461 ack 1 win 64240 sack {101:201} length 12
            2.500000 . ack 201 win 64040
            """);
    }

    private static IEnumerable<Step> SendAt(Sock socket, params (double At, int Bytes)[] writes)
    {
        foreach (var (at, bytes) in writes)
        {
            yield return Script.Until(at);
            yield return socket.Send(bytes);
        }
    }
}
