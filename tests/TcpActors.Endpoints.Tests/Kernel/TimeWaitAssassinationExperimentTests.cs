using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiments 14 and 15 (behaviours 14 and 15): an RST or a new SYN arriving for a TIME-WAIT.</summary>
public sealed class TimeWaitAssassinationExperimentTests
{
    [Fact]
    public void Rst_at_the_expected_sequence_number_kills_time_wait_and_one_elsewhere_is_ignored()
    {
        // Proves behaviour 14 against tests/reference/kernel/14-rst-in-time-wait-rfc1337-0.txt: a hand-built RST
        // with seq R + 1000 leaves the client's TIME-WAIT alone (no reply); one with seq R (the client's
        // rcv_nxt) ends it at once (TIME_WAIT assassination, tcp_rfc1337 = 0), again without a reply.
        var lab = Run();
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]          # kernel 1.000879: a tick later (ato 0)
            1.500000 8080>40000 F. seq 1 ack 2 win 64 [TS]
            1.500000 40000>8080 . ack 2 win 63 [TS]
            3.000000 8080>40000 R seq 1002 win 0             # kernel 3.137750: hand-built, R + 1000
            5.000000 8080>40000 R seq 2 win 0                # kernel 5.152584: hand-built, R
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "14-rst-in-time-wait-rfc1337-0.txt", earlySeconds: 0.2);
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,57sec,0)", lab.SsLog[1].Split('\n')[1]);
        Assert.Equal("", lab.SsLog[2].Split('\n')[1]);
        Assert.Equal(1, lab.ClientStack.Counters.TimeWaitKilled);
    }

    [Fact]
    public void Rst_to_time_wait_is_ignored_with_rfc1337_and_does_not_restart_the_timer()
    {
        // Proves behaviour 14 with tcp_rfc1337=1 against tests/reference/kernel/14-rst-in-time-wait-rfc1337-1.txt:
        // both RSTs are ignored and the 60 s keep counting down (57, 55, 53 s left at 5, 7, 9 s).
        var lab = Run("net.ipv4.tcp_rfc1337=1");
        Expect.SameAsKernel(lab.Wire, "14-rst-in-time-wait-rfc1337-1.txt", earlySeconds: 0.35);
        Assert.Equal(
            ["59sec", "57sec", "55sec", "53sec"],
            lab.SsLog.Select(s => s.Split("timewait,")[1].Split(',')[0]));
    }

    [Theory]
    [InlineData("15-syn-in-time-wait-ts.txt", "net.ipv4.tcp_timestamps=1")]
    [InlineData("15-syn-in-time-wait-nots.txt", "net.ipv4.tcp_timestamps=0")]
    public void Syn_with_a_higher_sequence_number_reopens_a_time_wait_with_isn_old_snd_nxt_plus_65537(string reference, string clientTimestamps)
    {
        // Proves behaviour 15 against tests/reference/kernel/15-syn-in-time-wait-ts.txt and -nots.txt: the server
        // closed first and holds TIME-WAIT; the client, from the same port 2 s later, sends a SYN whose ISN is
        // above the TIME-WAIT's R (with or without timestamps); the server kills the TIME-WAIT and answers at
        // once with ISN = old snd_nxt + 65537 (here old ISN + 2 + 65537), and data flows.
        var lab = Lab.Routed(client: [clientTimestamps]);
        lab.Run("server", lab.Server, SynServer);
        lab.Run("client", lab.Client, SynClient);
        lab.At(3.0, () => lab.Ss(lab.Server, "server (TIME_WAIT expected)"));
        lab.At(4.5, () => lab.Ss(lab.Server, "server after the new SYN"));
        lab.RunUntil(7);
        Expect.SameAsKernel(lab.Wire, reference);
        Assert.Contains("8080>40000 S. seq ISN+65539 ack 1", lab.Wire.Text(), StringComparison.Ordinal);
        Assert.Equal("TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,59sec,0)", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("ESTAB 0 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[1].Split('\n')[1]);
        Expect.Lines(
            """
            4.000 client bind(10.0.1.2:40000) -> 0
            4.000 client connect(10.0.2.2:8080) -> 0
            4.000 client send(10 bytes) -> 10
            4.000 client recv(65536) -> 20 bytes
            6.000 client recv(65536) -> 0 bytes
            6.000 client close() -> 0
            """,
            string.Join('\n', lab.Calls.Of("client").Split('\n').Skip(5)));
    }

    private static Lab Run(params string[] clientSysctls)
    {
        var lab = Lab.Routed(client: clientSysctls);
        lab.Run("server", lab.Server, RstServer);
        lab.Run("client", lab.Client, RstClient);
        lab.At(3, () => lab.Ss(lab.Client, "client (TIME_WAIT expected)"));
        lab.At(4, () => lab.SendRaw(lab.Server, "10.0.2.2:8080", "10.0.1.2:40000", TcpFlags.Rst, ClientRcvNxt(lab) + 1000));
        lab.At(5, () => lab.Ss(lab.Client, "client after RST with seq R+1000"));
        lab.At(6, () => lab.SendRaw(lab.Server, "10.0.2.2:8080", "10.0.1.2:40000", TcpFlags.Rst, ClientRcvNxt(lab)));
        lab.At(7, () => lab.Ss(lab.Client, "client after RST with seq R"));
        lab.At(9, () => lab.Ss(lab.Client, "client"));
        lab.RunUntil(10);
        return lab;
    }

    /// <summary>R: the server's FIN sequence number plus one, read off the capture as the kernel script did.</summary>
    private static uint ClientRcvNxt(Lab lab) =>
        lab.Wire.Segments.First(s => s.Record.Source.Port == 8080 && (s.Record.Flags & TcpFlags.Fin) != 0).Record.Seq + 1;

    private static IEnumerable<Step> RstServer(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return Script.Until(2.5);
        yield return connection.Close();
    }

    private static IEnumerable<Step> RstClient(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> SynServer(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var first = p.Accepted!;
        yield return first.Recv();
        yield return Script.Until(2.0);
        yield return first.Close();
        yield return listener.Accept();
        var second = p.Accepted!;
        yield return second.Recv();
        yield return second.Send(20);
        yield return Script.Until(6.0);
        yield return second.Close();
    }

    private static IEnumerable<Step> SynClient(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var first = p.Socket();
        yield return first.Bind("10.0.1.2:40000");
        yield return first.Connect("10.0.2.2:8080");
        yield return first.Send(100);
        yield return first.Recv();
        yield return Script.Until(2.5);
        yield return first.Close();
        yield return Script.Until(4.0);
        var second = p.Socket();
        yield return second.Bind("10.0.1.2:40000");
        yield return second.Connect("10.0.2.2:8080");
        yield return second.Send(10);
        yield return second.Recv();
        yield return second.Recv();
        yield return second.Close();
    }
}
