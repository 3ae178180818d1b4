using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 61: connect() to a closed port while the client's INPUT drops the RSTs that answer it.</summary>
public sealed class RefusedResetDroppedExperimentTests
{
    [Fact]
    public void Dropped_resets_leave_the_syn_retransmitting_until_one_gets_through_or_the_budget_ends()
    {
        // Proves against tests/reference/kernel/61-refused-rst-dropped.txt (tcp_syn_retries=3 on the client, linear
        // timeouts at their default 4): every SYN to the closed 8080 draws `R.` seq 0 ack ISN+1 from the server's host;
        // with the RSTs dropped the client never learns it and retransmits its SYN at 1 s intervals four times, then
        // doubling (2, 4 s), until the budget of tcp_model_timeout ((2^4 − 1) × 1 s from the first SYN) has passed at
        // a firing: 8 SYNs and ETIMEDOUT 19.4 s after the first. c2's rule goes at 2.5 s, so its third SYN's RST gets
        // through and connect() fails with ECONNREFUSED; c3's port opens at 2.5 s, so its third SYN connects.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_syn_retries=3"]);
        var rules = Enumerable.Range(1, 3)
            .Select(i => new DropRule(HookPoint.Input, $"INPUT -p tcp --dport {40000 + i} --tcp-flags RST RST -j DROP"))
            .ToArray();
        foreach (var rule in rules)
        {
            lab.AddRule(lab.Client, rule);
        }

        lab.At(2.5, () => lab.DeleteRule(lab.Client, rules[1]));
        lab.Run("server", lab.Server, Server);
        // The kernel's three client processes started at 1.240, 1.116 and 1.367 (loaded machine); so do these.
        foreach (var (client, at) in new[] { (2, 1.116), (1, 1.240), (3, 1.367) })
        {
            lab.Run($"c{client}", lab.Client, p => Client(p, client, at));
        }

        lab.RunUntil(25);
        Expect.SameAsKernel(lab.Wire, "61-refused-rst-dropped.txt");
        Assert.Equal("3.116 c2 connect(10.0.2.2:8080) -> ECONNREFUSED", Connects(lab, "c2")); // kernel 3.150 (called 1.116)
        Assert.Equal("3.367 c3 connect(10.0.2.2:8081) -> 0", Connects(lab, "c3")); // kernel 3.406 (called 1.367)
        Assert.Contains("20.240 c1 connect(10.0.2.2:8080) -> ETIMEDOUT", lab.Calls.Of("c1"), StringComparison.Ordinal); // kernel 20.814
        Assert.Equal(8, lab.Wire.Text().Split('\n').Count(l => l.Contains("40001>8080 S ", StringComparison.Ordinal)));
        Assert.Equal(8, lab.RuleMatches(lab.Client, rules[0])); // kernel: 8
        Assert.Equal(2, lab.RuleMatches(lab.Client, rules[2])); // kernel: 2
    }

    private static string Connects(Lab lab, string role) =>
        string.Join('\n', lab.Calls.Of(role).Split('\n').Where(l => l.Contains("connect", StringComparison.Ordinal)));

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        yield return Script.Until(2.5);
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8081");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        // The kernel's server process woke 8 ms after c3's handshake and FIN (accept() returned at 3.414, the FIN
        // came at 3.4065), so the FIN's delayed ACK (next tick) left before its own FIN; so does this one's.
        yield return Script.Sleep(0.008);
        yield return connection.Recv();
        yield return connection.Close();
        yield return listener.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int client, double at)
    {
        yield return Script.Until(at);
        var socket = p.Socket();
        yield return socket.Bind($"10.0.1.2:{40000 + client}");
        yield return socket.Connect(client == 3 ? "10.0.2.2:8081" : "10.0.2.2:8080");
        yield return socket.Close();
    }
}
