using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 20 (behaviour 20): ephemeral ports with a 10-port range, exhaustion and TIME-WAIT reuse.</summary>
public sealed class EphemeralPortExperimentTests
{
    [Theory]
    [InlineData("20-ephemeral-ports-routed-reuse1.txt", false, 1, 2.1, 11)]    // kernel 2.004 after 10 failures
    [InlineData("20-ephemeral-ports-loopback-reuse2.txt", true, 2, 2.1, 11)]   // kernel 2.034 after 10
    [InlineData("20-ephemeral-ports-routed-reuse2.txt", false, 2, 61.0, 600)]  // kernel 62.034 after 597
    [InlineData("20-ephemeral-ports-routed-reuse0.txt", false, 0, 61.0, 600)]  // kernel 61.821 after 605
    [InlineData("20-ephemeral-ports-loopback-reuse0.txt", true, 0, 61.0, 600)] // kernel 62.528 after 612
    public void Ten_ports_fill_up_and_come_back_by_time_wait_reuse_or_expiry(string reference, bool loopback, int twReuse, double firstSuccess, int failures)
    {
        // Proves behaviour 20 against the tests/reference/kernel/20-ephemeral-ports-*.txt recordings: with
        // ip_local_port_range 40000-40009, 10 client-closed connections take the five even ports first (in a
        // hash-scattered order), then the odd ones; the 11th connect() fails EADDRNOTAVAIL while 10 TIME-WAITs
        // hold the 4-tuples; retrying every 0.1 s, a port comes back 1 s after its TIME-WAIT began when
        // tcp_tw_reuse allows it (1, or 2 on loopback) — strictly after tcp_tw_reuse_delay, so at 2.1 s here —
        // with ISN = old snd_nxt + 65537 and a SYN window rounded to the timestamped MSS (65160, it inherits
        // ts_recent); otherwise only when the TIME-WAIT ends, 60 s after it began, with an unrelated ISN.
        string[] sysctls = ["net.ipv4.ip_local_port_range=40000 40009", $"net.ipv4.tcp_tw_reuse={twReuse}"];
        var lab = loopback ? Lab.Loopback(sysctls) : Lab.Routed(client: sysctls);
        var run = new PortRun();
        string server = lab.ServerAddress + ":8080";
        lab.Run("server", lab.Server, p => Server(p, server));
        lab.Run("client", lab.Client, p => Client(p, server, run));
        lab.RunUntil(80);

        Assert.Equal(10, run.Chosen.Distinct().Count());
        Assert.All(run.Chosen.Take(5), port => Assert.True(port % 2 == 0, $"{port} should be even"));
        Assert.All(run.Chosen.Skip(5), port => Assert.True(port % 2 == 1, $"{port} should be odd"));
        Assert.Equal(1.0, run.Exhausted);
        Assert.Equal(firstSuccess, run.Successes[0].At, 6);
        Assert.Equal(5, run.Successes.Count);
        Assert.All(run.Successes, s => Assert.True(s.Port % 2 == 0, "reused ports are even ones"));
        Assert.Equal(failures, run.Failures);
        Assert.Contains("EADDRNOTAVAIL", KernelReference.Load(reference).Section("calls").First(l => l.Contains("retry loop:", StringComparison.Ordinal)), StringComparison.Ordinal);

        var reopenedSyns = lab.Wire.Text().Split('\n').Where(l => l.Contains(" S seq ISN", StringComparison.Ordinal)).Skip(10).ToList();
        Assert.Equal(5, reopenedSyns.Count);
        bool reused = firstSuccess < 60;
        string window = loopback ? "65483" : "65160";
        Assert.All(reopenedSyns, syn => Assert.Contains(reused ? $"S seq ISN+65539 win {window}" : "S seq ISN win", syn, StringComparison.Ordinal));
        Assert.Equal(reused ? 5 : 0, lab.ClientStack.Counters.TimeWaitRecycled);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, string address)
    {
        var listener = p.Socket();
        yield return listener.Bind(address);
        yield return listener.Listen(64);
        for (int i = 0; i < 15; i++)
        {
            yield return listener.Accept();
            var connection = p.Accepted!;
            yield return connection.Recv();
            yield return connection.Close();
        }
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, string server, PortRun run)
    {
        yield return Script.Until(1.0);
        for (int i = 0; i < 11; i++)
        {
            var socket = p.Socket();
            yield return socket.Connect(server);
            if (socket.LastErrno == Errno.None)
            {
                run.Chosen.Add(socket.Local!.Value.Port);
            }
            else
            {
                run.Exhausted = p.Lab.System.Now.TotalSeconds;
            }

            yield return socket.Close();
        }

        double deadline = p.Lab.System.Now.TotalSeconds + 75;
        while (p.Lab.System.Now.TotalSeconds < deadline && run.Successes.Count < 5)
        {
            var socket = p.Socket();
            yield return socket.Connect(server);
            if (socket.LastErrno != Errno.None)
            {
                run.Failures++;
                yield return socket.Close();
                yield return Script.Sleep(0.1);
                continue;
            }

            run.Successes.Add((p.Lab.System.Now.TotalSeconds, socket.Local!.Value.Port));
            yield return socket.Close();
        }
    }

    private sealed class PortRun
    {
        public List<int> Chosen { get; } = [];

        public double Exhausted { get; set; }

        public int Failures { get; set; }

        public List<(double At, int Port)> Successes { get; } = [];
    }
}
