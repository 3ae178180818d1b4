using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 22 (behaviour 22): listen(1), nobody accepts, the accept queue overflows.</summary>
public sealed class AcceptQueueOverflowExperimentTests
{
    [Fact]
    public void Third_ack_into_a_full_accept_queue_is_dropped_and_the_syn_ack_keeps_being_resent()
    {
        // Proves behaviour 22 against tests/reference/kernel/22-accept-queue-overflow-default.txt: listen(1) holds
        // two children (full when more than the backlog); c3's third ACK, held back until 3 s, then finds the
        // queue full and is dropped silently, as are its data and duplicate ACKs — the request stays and its
        // SYN-ACK goes on at 1, 3, 7, 15, 31 s while c3 believes it is connected and retransmits its data into
        // the void; c4's SYN, arriving while the queue is full, is dropped with no reply (11 SYNs); when the
        // listener closes, its two queued children are reset (R. seq 1 ack 11), c3's request vanishes silently.
        var lab = Run(abortOnOverflow: false, listenerClosesAt: 80);
        // At 8 s c4's SYN timer and c3's SYN-ACK timer are due together; the kernel fired c4's first.
        Expect.SameAsKernel(lab.Wire, "22-accept-queue-overflow-default.txt", tiesWithinSeconds: 0);
        Expect.SameAsKernel(lab.ServerWire, "22-accept-queue-overflow-default.txt", "wire-server", lab.Wire.Origin, tiesWithinSeconds: 0);
        Assert.Equal(
            """
            ESTAB 0 0 10.0.2.2:8080 10.0.1.2:40001
            ESTAB 0 0 10.0.2.2:8080 10.0.1.2:40002
            SYN-RECV 0 0 10.0.2.2:8080 10.0.1.2:40003 timer:(on,300ms,0)
            """,
            string.Join('\n', lab.SsLog[0].Split('\n').Skip(1))); // kernel at 2.823: on,172ms,0
        Assert.Equal(
            """
            80.000 c1 recv(65536) -> ECONNRESET
            80.000 c2 recv(65536) -> ECONNRESET
            """,
            string.Join('\n', lab.Calls.Lines.Where(l => l.Contains("ECONNRESET", StringComparison.Ordinal))));
        Assert.True(lab.ServerStack.Counters.ListenOverflows >= 3);
    }

    [Fact]
    public void Third_ack_into_a_full_accept_queue_gets_a_reset_with_tcp_abort_on_overflow()
    {
        // Proves behaviour 22 with tcp_abort_on_overflow=1 against tests/reference/kernel/22-accept-queue-overflow-abort.txt:
        // c3's ACK (to the SYN-ACK re-sent at 3 s) is answered with R, seq = server ISN + 1 and no ACK flag; c3's
        // send() then fails ECONNRESET and its recv() returns 0; c4's SYNs are still dropped silently.
        var lab = Run(abortOnOverflow: true, listenerClosesAt: 15);
        Expect.SameAsKernel(lab.Wire, "22-accept-queue-overflow-abort.txt");
        Assert.Contains("4.000000 8080>40003 R seq 1 win 0", lab.Wire.Text(), StringComparison.Ordinal); // kernel 4.021529
        Expect.Lines(
            """
            2.000 c3 bind(10.0.1.2:40003) -> 0
            2.000 c3 connect(10.0.2.2:8080) -> 0
            6.000 c3 send(10 bytes) -> ECONNRESET
            6.000 c3 recv(65536) -> 0 bytes
            6.000 c3 close() -> 0
            """,
            lab.Calls.Of("c3"));
    }

    [Theory]
    [InlineData("22-accept-queue-overflow-default.txt", false, 80)]
    [InlineData("22-accept-queue-overflow-abort.txt", true, 15)]
    public void Ss_info_matches_the_kernel_for_the_fields_the_simulator_models(string reference, bool abortOnOverflow, double listenerClosesAt)
    {
        // Proves the tcp_info of the clients' connections and of the children waiting in the accept queue (never
        // accepted) against every ss -tanoi snapshot with an info line: the fields SsInfoFields.Modelled
        // lists exactly, with the backoff and the RTO of the retransmitting c3 (no RTT sample beyond the handshake's,
        // so the RTO is the 200 ms floor's jiffy-rounded 204 ms, doubled); the ages as SsInfoFields.AssertAges allows
        // (ss read the clock some ms after the label). A request socket (SYN-RECV) has no info line, in ss as here.
        List<(string Heading, SsInfoFields Kernel, SsInfoFields? Simulated)> taken = [];
        Run(abortOnOverflow, listenerClosesAt, lab => taken = SsInfoFields.AtEverySnapshot(lab, reference, heading => heading.Contains("-c clients", StringComparison.Ordinal) ? lab.ClientStack : lab.ServerStack));
        Assert.NotEmpty(taken);
        foreach (var (heading, kernel, simulated) in taken)
        {
            Assert.True(simulated is not null, $"{heading}: the kernel shows {kernel.Line}, the simulator no such socket");
            if (kernel.Has("backoff"))
            {
                // c3 retransmitting into the void. The kernel's RTO timers fire late, by up to an eighth of their
                // length (docs/fidelity.md, "Timer lateness"), and the lateness adds up over the doublings: by the
                // snapshot at 63 s its eighth retransmission, due then, had not left yet while the simulator's, on
                // time, had. So the simulator may be one retransmission ahead (10 bytes, one segment, one backoff);
                // otherwise everything is the same. Its last retransmission may be later in the kernel by an eighth of
                // the RTO, so lastsnd shorter; lastack and lastrcv carry only ss's read delay (AssertAges: up to 32 ms).
                int ahead = (int)(simulated.Number("data_segs_out") - kernel.Number("data_segs_out"));
                Assert.InRange(ahead, 0, 1);
                Assert.Equal(kernel.Number("backoff") + ahead, simulated.Number("backoff"));
                Assert.Equal(kernel.Number("bytes_sent") + (10 * ahead), simulated.Number("bytes_sent"));
                Assert.Equal(kernel.Number("retrans", part: 1) + ahead, simulated.Number("retrans", part: 1));
                SsInfoFields.AssertSame(kernel, simulated, SsInfoFields.Modelled.Except(["bytes_sent", "bytes_retrans", "segs_out", "data_segs_out", "retrans"]).ToArray());
                if (ahead == 0)
                {
                    SsInfoFields.AssertSame(kernel, simulated, "bytes_sent", "bytes_retrans", "segs_out", "data_segs_out", "retrans", "rto");
                    Assert.InRange(kernel.Number("lastsnd") - simulated.Number("lastsnd"), -8 - (kernel.Number("rto") / 8), 40);
                }

                Assert.InRange(kernel.Number("lastack") - simulated.Number("lastack"), -8, 40);
                Assert.InRange(kernel.Number("lastrcv") - simulated.Number("lastrcv"), -8, 40);
                continue;
            }

            SsInfoFields.AssertSame(kernel, simulated, SsInfoFields.Modelled);
            SsInfoFields.AssertAges(kernel, simulated);
        }
    }

    private static Lab Run(bool abortOnOverflow, double listenerClosesAt, Action<Lab>? beforeRunning = null)
    {
        var lab = Lab.Routed(server: [$"net.ipv4.tcp_abort_on_overflow={(abortOnOverflow ? 1 : 0)}"]);
        var holdThirdAck = new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -p tcp --sport 40003 --tcp-flags ACK ACK -j DROP");
        lab.At(1.5, () => lab.AddRule(lab.Router!, holdThirdAck));
        lab.At(4.0, () => lab.DeleteRule(lab.Router!, holdThirdAck));
        lab.Run("server", lab.Server, p => Server(p, listenerClosesAt));
        foreach (var (client, at) in new[] { (1, 1.0), (2, 2.5), (3, 2.0), (4, 7.0) })
        {
            lab.Run($"c{client}", lab.Client, p => Client(p, client, at));
        }

        lab.At(2.7, () => lab.Ss(lab.Server, "server (c3 ACK held)"));
        beforeRunning?.Invoke(lab);
        lab.RunUntil(listenerClosesAt + 1);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, double closeAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(1);
        yield return Script.Until(closeAt);
        yield return listener.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int client, double at)
    {
        yield return Script.Until(at);
        var socket = p.Socket();
        yield return socket.Bind($"10.0.1.2:{40000 + client}");
        yield return socket.Connect("10.0.2.2:8080");
        if (socket.LastErrno == Errno.None && client != 4)
        {
            // All send at 6 s; the kernel's c1 came 0.2 ms after c3 and c2 (process scheduling), after c2's ACK.
            yield return Script.Until(client == 1 ? 6.0002 : 6.0);
            yield return socket.Send(10);
            yield return socket.Recv();
        }

        yield return socket.Close();
    }
}

/// <summary>Experiment 22, first version (behaviour 22): with more requests pending than the backlog, SYNs get SYN cookies.</summary>
public sealed class SynCookieExperimentTests
{
    [Fact]
    public void Syn_arriving_with_more_requests_pending_than_the_backlog_is_answered_with_a_syn_cookie()
    {
        // Proves behaviour 22 against tests/reference/kernel/22-accept-queue-overflow-v1-abort.txt (tcp_abort_on_overflow=1,
        // the calls at the kernel run's own times): c2 and c4 make requests whose third ACKs are held; c3's SYN,
        // with two requests pending (more than listen(1)'s backlog), gets a SYN cookie — a SYN-ACK never
        // retransmitted, no request socket; c5's SYN at 5 s gets a cookie too and its valid ACK creates a child
        // (the queue then holds c1 and c5, offering 63 where a request's child offers 64); c2's and c4's ACKs to
        // their re-sent SYN-ACKs find the queue full and get R; c3's data, a cookie ACK into a full queue, is
        // dropped silently; when the listener closes, c1 and c5 are reset and c3's next retransmission gets R.
        var lab = Lab.Routed(server: ["net.ipv4.tcp_abort_on_overflow=1"]);
        var hold = new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -p tcp -m multiport --sports 40002:40004 --tcp-flags SYN,ACK ACK -j DROP");
        lab.At(1.528, () => lab.AddRule(lab.Router!, hold));
        lab.At(3.275, () => lab.DeleteRule(lab.Router!, hold));
        lab.Run("server", lab.Server, Server);
        // c4 connected 0.07 ms after c2 (after c2's handshake); the SYN-ACK timers due at 5 s fired 27 ms late,
        // after c5's SYN, which the simulator (exact timers) reproduces by sending c5's SYN just before 5 s.
        foreach (var (client, connectAt, sendAt) in new[] { (1, 1.355, 6.016), (2, 2.0, 6.003), (4, 2.00007, 6.003), (3, 2.003, 6.023), (5, 4.999, 6.015) })
        {
            lab.Run($"c{client}", lab.Client, p => Client(p, client, connectAt, sendAt));
        }

        lab.RunUntil(14);
        // The kernel's timer wheel fired c4's 1 s SYN-ACK timer before c2's, 0.07 ms older.
        Expect.SameAsKernel(lab.Wire, "22-accept-queue-overflow-v1-abort.txt", earlySeconds: 0.02, tiesWithinSeconds: 0.0001);
        Assert.Equal(2, lab.ServerStack.Counters.SyncookiesSent);
        Assert.Contains("6.003 c2 send(10 bytes) -> ECONNRESET", lab.Calls.Of("c2"), StringComparison.Ordinal);
        Assert.Contains("12.000 c5 recv(65536) -> ECONNRESET", lab.Calls.Of("c5"), StringComparison.Ordinal);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(1);
        yield return Script.Until(12);
        yield return listener.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int client, double connectAt, double sendAt)
    {
        yield return Script.Until(connectAt);
        var socket = p.Socket();
        yield return socket.Bind($"10.0.1.2:{40000 + client}");
        yield return socket.Connect("10.0.2.2:8080");
        if (socket.LastErrno == Errno.None)
        {
            yield return Script.Until(sendAt);
            yield return socket.Send(10);
            yield return socket.Recv();
        }

        yield return socket.Close();
    }
}
