using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 02 (behaviour 2): the router drops every SYN; connect() retransmits and fails ETIMEDOUT.</summary>
public sealed class LostSynExperimentTests
{
    [Fact]
    public void Lost_syn_is_retransmitted_five_times_a_second_then_doubling_and_connect_times_out_at_131_s()
    {
        // Proves behaviour 2 with the defaults (tcp_syn_retries 6, tcp_syn_linear_timeouts 4) against
        // tests/reference/kernel/02-lost-syn-default.txt: 11 SYNs, same ISN, ETIMEDOUT once the count
        // limit (10 retransmissions) is reached at the next timer firing, 64 s after the last SYN.
        var lab = Run();
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 1.021762
            2.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 2.045740
            3.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 3.069746
            4.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 4.093757
            5.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 5.117753
            7.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 7.133757
            11.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 11.325782
            19.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 19.517765
            35.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 35.645786
            67.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 68.669780
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "02-lost-syn-default.txt");
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            132.000 client connect(10.0.2.2:8080) -> ETIMEDOUT   # kernel 135.206 (wire 134.205)
            132.000 client close() -> 0
            """,
            lab.Calls.Of("client"));
        Assert.Equal("SYN-SENT 0 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,500ms,0)", lab.SsLog[0].Split('\n')[1]);
    }

    [Fact]
    public void Lost_syn_with_linear_timeouts_off_follows_the_classic_1_3_7_15_31_63_127_s_series()
    {
        // Proves behaviour 2 with tcp_syn_linear_timeouts=0 against tests/reference/kernel/02-lost-syn-linear0.txt:
        // 7 SYNs, doubling from 1 s, ETIMEDOUT 127 s after the first.
        var lab = Run("net.ipv4.tcp_syn_linear_timeouts=0");
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 1.009050
            3.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 3.025041
            7.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 7.249088
            15.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 15.441078
            31.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 31.569091
            63.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]  # kernel 65.617069
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "02-lost-syn-linear0.txt");
        Assert.Contains("128.000 client connect(10.0.2.2:8080) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 132.158
    }

    [Fact]
    public void Lost_syn_with_two_syn_retries_stops_at_the_7_s_time_budget_before_the_count()
    {
        // Proves behaviour 2 with tcp_syn_retries=2 against tests/reference/kernel/02-lost-syn-synretries2.txt:
        // the count limit would allow 2 + 4 retransmissions, but the budget (2^3 - 1) × 1 s ends the attempt
        // at the timer firing 7 s after the SYN: 6 SYNs.
        var lab = Run("net.ipv4.tcp_syn_retries=2");
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 1.023670
            2.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 2.047696
            3.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 3.071692
            4.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 4.095694
            5.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]   # kernel 5.119720
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "02-lost-syn-synretries2.txt");
        Assert.Contains("8.000 client connect(10.0.2.2:8080) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 8.139
    }

    [Fact]
    public void Lost_syn_with_three_syn_retries_stops_at_the_count_limit_of_seven_retransmissions()
    {
        // Proves behaviour 2 with tcp_syn_retries=3 against tests/reference/kernel/02-lost-syn-synretries3.txt:
        // the count limit (3 + 4 linear = 7 retransmissions) ends the attempt at the firing 19 s after the SYN,
        // before the time budget ((2^4 - 1) × 1 s = 15 s, checked only at firings) would: 8 SYNs.
        var lab = Run("net.ipv4.tcp_syn_retries=3");
        Expect.SameAsKernel(lab.Wire, "02-lost-syn-synretries3.txt");
        Assert.Equal(8, lab.Wire.Segments.Count);
        Assert.Contains("20.000 client connect(10.0.2.2:8080) -> ETIMEDOUT", lab.Calls.Of("client"), StringComparison.Ordinal);
    }

    private static Lab Run(params string[] clientSysctls)
    {
        var lab = Lab.Routed(client: clientSysctls);
        lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -d 10.0.2.2 -p tcp --syn -j DROP"));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.At(1.5, () => lab.Ss(lab.Client, "client while SYN_SENT"));
        lab.RunUntil(150);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return socket.Close();
    }
}
