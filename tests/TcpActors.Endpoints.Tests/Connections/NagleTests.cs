using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>
/// Nagle's algorithm (RFC 896) as Linux applies it in tcp_nagle_test / tcp_nagle_check with Minshall's
/// variant (tcp_minshall_check): a small segment waits while an earlier small segment is unacknowledged,
/// unless TCP_NODELAY is set.
/// </summary>
public sealed class NagleTests
{
    [Fact]
    public void Without_nodelay_a_second_small_write_waits_for_the_ack_of_the_first()
    {
        // Proves tcp_nagle_check with nonagle = 0: the first 100-byte write goes at once (nothing in flight); the
        // second, 10 ms later, is held because the first small segment is unacknowledged (snd_sml > snd_una);
        // the peer's ACK, 100 ms after the first send (a 100 ms RTT path), releases it at that instant.
        var dialogue = Dialogue.WithListener((_, socket) => TwoSmallWrites(socket, noDelay: false));
        dialogue.Connect(1.0);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 101);
        dialogue.ExpectUntil(2.099,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            """);
        dialogue.ExpectUntil(2.2,
            """
            2.100000 P. seq 101:201 ack 1 win 64240 length 100
            """);
    }

    [Fact]
    public void With_nodelay_a_second_small_write_goes_at_once()
    {
        // Proves TCP_NODELAY (nonagle = TCP_NAGLE_OFF makes tcp_nagle_test pass): the same two writes, the second
        // sent 10 ms after the first without waiting for the ACK of the first.
        var dialogue = Dialogue.WithListener((_, socket) => TwoSmallWrites(socket, noDelay: true));
        dialogue.Connect(1.0);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 201);
        dialogue.ExpectUntil(2.2,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            2.010000 P. seq 101:201 ack 1 win 64240 length 100
            """);
    }

    private static IEnumerable<Step> TwoSmallWrites(Sock socket, bool noDelay)
    {
        if (noDelay)
        {
            yield return socket.SetOptions("TCP_NODELAY 1", o => o with { NoDelay = true });
        }

        yield return Script.Until(2.0);
        yield return socket.Send(100);
        yield return Script.Until(2.01);
        yield return socket.Send(100);
    }
}
