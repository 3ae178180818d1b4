using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 66: data and FIN in one segment to an ESTABLISHED socket whose application waits in recv(); its
/// retransmission in CLOSE-WAIT; the server's reply and close.
/// </summary>
public sealed class FinWithDataExperimentTests
{
    private static readonly TcpOptions SynOptions = new() { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 2001 };

    [Fact]
    public void Data_with_fin_is_acked_by_the_delayed_ack_and_its_retransmission_with_a_dsack()
    {
        // Proves against tests/reference/kernel/66-fin-with-data-reply.txt: 10 bytes with FIN (101:111) wake the
        // reader (10 bytes, then 0) but are ACKed (ack 112) only by the delayed-ACK timer 40 ms later: tcp_fin put the
        // socket in ping-pong mode, so neither the quick-ACK mode nor the reader's tcp_cleanup_rbuf sends it (kernel
        // 40.8 ms). The repeated segment in CLOSE-WAIT is a duplicate: ACKed at once with a D-SACK {101:112}. The
        // server's 100 bytes and its FIN carry ack 112; the socket is CLOSE-WAIT until its close().
        var dialogue = Start(Reply);
        dialogue.Inject(3.2, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 101, 1, 10, window: 65535);
        dialogue.Inject(3.6, TcpFlags.Ack, 112, 101, window: 65535);
        dialogue.Inject(4.1037, TcpFlags.Ack, 112, 102, window: 65535);
        var lab = dialogue.Lab;
        lab.At(3.1, () => lab.Ss(lab.Server, "server"));
        lab.At(3.7, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(4.4);
        Expect.SameAsKernel(lab.Wire, "66-fin-with-data-reply.txt");
        Expect.Lines(
            """
            1.040000 8080>40000 . ack 112 win 65049 [TS]
            1.200000 8080>40000 . ack 112 win 65049 [TS,sack 1 {101:112}]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(6).Where(l => l.Contains("8080>40000", StringComparison.Ordinal)).Take(2)));
        var calls = lab.Calls.Of("server");
        Assert.Contains("3.000 server recv(65536) -> 10 bytes", calls, StringComparison.Ordinal); // kernel 3.001
        Assert.Contains("3.000 server recv(65536) -> 0 bytes", calls, StringComparison.Ordinal); // kernel 3.001
        Assert.All(lab.SsLog, s => Assert.Contains("CLOSE-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000", s, StringComparison.Ordinal));
    }

    [Fact]
    public void A_close_after_the_eof_sends_the_fin_with_the_ack_owed()
    {
        // Proves against tests/reference/kernel/66-fin-with-data-close.txt: the reader close()s as soon as recv()
        // returns 0; its FIN carries the ACK of the data and FIN (ack 112) at once, no separate ACK.
        var dialogue = Start(CloseAtEof);
        dialogue.Inject(3.1, TcpFlags.Ack, 112, 2, window: 65535);
        dialogue.Lab.RunUntil(3.4);
        Expect.SameAsKernel(dialogue.Lab.Wire, "66-fin-with-data-close.txt");
        Assert.Contains("3.000 server close() -> 0", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 3.001
    }

    [Fact]
    public void A_fin_queued_behind_a_write_nagle_holds_leaves_with_it_and_is_acked_by_the_delayed_ack()
    {
        // Proves against tests/reference/kernel/66-fin-with-data-nagle.txt (real client and server, 100 ms round trip):
        // 10 bytes, 10 more at once (Nagle holds them: the first is unacknowledged) and close(): tcp_send_fin pushes
        // with Nagle off, so the held data and the FIN leave together (FP. 11:21) right after the first segment. The
        // server ACKs the first at once (quick ACK) and the second 40 ms later (kernel 42.8 ms): the FIN made its
        // socket ping-pong. Its FIN at 3.5 s is ACKed from the client's TIME_WAIT. Scenario k66-fin-with-data-nagle
        // runs the same.
        var lab = Lab.Routed(links: new LinkSettings(Duration.FromMilliseconds(25)));
        lab.GsoOffBehindTheDelayLine();
        lab.Run("server", lab.Server, NagleServer);
        lab.Run("client", lab.Client, NagleClient);
        lab.RunUntil(4.0);
        Expect.SameAsKernel(lab.Wire, "66-fin-with-data-nagle.txt");
        Expect.Lines(
            """
            1.000000 40000>8080 P. seq 1:11 ack 1 win 63 [TS] length 10
            1.000000 40000>8080 FP. seq 11:21 ack 1 win 63 [TS] length 10
            1.100000 8080>40000 . ack 11 win 64 [TS]
            1.140000 8080>40000 . ack 22 win 64 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(3).Take(4)));
    }

    private static IEnumerable<Step> NagleServer(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var c = p.Accepted!;
        yield return c.Recv();
        yield return c.Recv();
        yield return c.Recv();
        yield return Script.Until(3.5);
        yield return c.Close();
    }

    private static IEnumerable<Step> NagleClient(ScriptedProcess p)
    {
        var s = p.Socket();
        yield return Script.Until(2.0);
        yield return s.Bind("10.0.1.2:40000");
        yield return s.Connect("10.0.2.2:8080");
        yield return Script.Until(3.0);
        yield return s.Send(10);
        yield return s.Send(10);
        yield return s.Close();
    }

    private static Dialogue Start(Func<ScriptedProcess, Sock, IEnumerable<Step>> server)
    {
        var dialogue = Dialogue.WithListener(server);
        dialogue.Timestamps = true;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(2.0004, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.5, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, window: 65535);
        dialogue.Inject(3.0, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 101, 1, 10, window: 65535);
        return dialogue;
    }

    private static IEnumerable<Step> Reply(ScriptedProcess p, Sock socket)
    {
        yield return socket.Recv();
        yield return socket.Recv();
        yield return socket.Recv();
        yield return Script.Until(3.5);
        yield return socket.Send(100);
        yield return Script.Until(4.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> CloseAtEof(ScriptedProcess p, Sock socket)
    {
        yield return socket.Recv();
        yield return socket.Recv();
        yield return socket.Recv();
        yield return socket.Close();
    }
}
