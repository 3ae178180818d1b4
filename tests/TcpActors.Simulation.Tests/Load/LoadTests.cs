using System.Text.Json;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Simulation.Tests.Load;

public sealed class LoadTests
{
    private static readonly (string, string) s_tenPorts = ("net.ipv4.ip_local_port_range", "40000 40009");

    [Fact]
    public void A_client_closing_first_runs_out_of_ports_exactly_when_every_4_tuple_is_in_TIME_WAIT()
    {
        // Proves port exhaustion: with 10 ephemeral ports and 60 s TIME_WAIT, the first 10 connections
        // to one server ip:port succeed and every later connect() in the same minute fails EADDRNOTAVAIL.
        var report = LoadRunner.Run(new LoadSettings { Rate = 100, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(2), Sysctls = [s_tenPorts] });

        Assert.Equal(10, report.Completed);
        Assert.Equal(report.Attempted - 10, report.Failed);
        Assert.Equal(report.Failed, report.FailuresByError["EADDRNOTAVAIL"]);
        Assert.Equal(10, report.PeakPortsInUseByHost["client-1"]);
        Assert.Equal(10, report.PeakTimeWaitByHost["client-1"]);
        Assert.Contains(report.Diagnosis, line => line.Contains("ran out of ephemeral ports", StringComparison.Ordinal) && line.Contains("10 / 60 s", StringComparison.Ordinal));
    }

    [Fact]
    public void Tcp_tw_reuse_lets_connections_continue_about_a_second_after_TIME_WAIT_begins()
    {
        // Proves tcp_tw_reuse=1 (timestamps on): a port comes back 1 s after its TIME_WAIT began, so 10 ports
        // sustain 8 connections a second (each port is needed again after 1.25 s) where without reuse only
        // the first 10 connections of the minute succeed; every reuse is counted (TWRecycled).
        var withReuse = LoadRunner.Run(new LoadSettings
        {
            Rate = 8,
            Duration = Duration.FromSeconds(5),
            Drain = Duration.FromSeconds(2),
            Sysctls = [s_tenPorts, ("net.ipv4.tcp_tw_reuse", "1")],
        });
        var withoutReuse = LoadRunner.Run(new LoadSettings
        {
            Rate = 8,
            Duration = Duration.FromSeconds(5),
            Drain = Duration.FromSeconds(2),
            Sysctls = [s_tenPorts, ("net.ipv4.tcp_tw_reuse", "0")],
        });

        Assert.Equal(withReuse.Attempted, withReuse.Completed);
        Assert.Equal(withReuse.Attempted - 10, withReuse.TimeWaitRecycled);
        Assert.Equal(10, withoutReuse.Completed);
        Assert.Equal(withoutReuse.Attempted - 10, withoutReuse.FailuresByError["EADDRNOTAVAIL"]);
    }

    [Fact]
    public void With_tcp_tw_reuse_0_and_no_loopback_the_default_2_does_not_reuse()
    {
        // Proves the default tcp_tw_reuse=2 reuses on loopback only: between hosts, ports stay blocked for 60 s.
        var report = LoadRunner.Run(new LoadSettings { Rate = 20, Duration = Duration.FromSeconds(5), Drain = Duration.FromSeconds(1), Sysctls = [s_tenPorts] });
        Assert.Equal(0, report.TimeWaitRecycled);
        Assert.Equal(10, report.Completed);
    }

    [Fact]
    public void Server_side_close_moves_TIME_WAIT_to_the_server_where_it_costs_no_ports()
    {
        // Proves --close server: the client ends in LAST_ACK then CLOSED (no TIME_WAIT) and the TIME_WAITs
        // pile up on the server (one per connection, all on the listening port).
        var report = LoadRunner.Run(new LoadSettings { Rate = 100, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(2), Close = Closer.Server });

        Assert.Equal(report.Attempted, report.Completed);
        Assert.Equal(0, report.PeakTimeWaitByHost["client-1"]);
        Assert.Equal(report.Completed, report.FinalTimeWaitByHost["server-1"]);
    }

    [Fact]
    public void Server_side_close_lets_few_ports_serve_many_connections_by_reopening_TIME_WAIT()
    {
        // Proves that with server-side close even 10 client ports carry 100 connections: the client keeps no
        // TIME_WAIT, and a new SYN for a 4-tuple still in the server's TIME_WAIT reopens it (RFC 1122, behaviour 15).
        var report = LoadRunner.Run(new LoadSettings { Rate = 100, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(2), Close = Closer.Server, Sysctls = [s_tenPorts] });

        Assert.Equal(report.Attempted, report.Completed);
        Assert.Equal(0, report.PeakTimeWaitByHost["client-1"]);
        Assert.InRange(report.FinalTimeWaitByHost["server-1"], 1, 10);
    }

    [Fact]
    public void Tcp_max_tw_buckets_overflow_destroys_TIME_WAIT_sockets_and_is_counted()
    {
        // Proves tcp_max_tw_buckets: past 5 TIME_WAITs the closing socket just closes (TCPTimeWaitOverflow).
        var report = LoadRunner.Run(new LoadSettings
        {
            Rate = 20,
            Duration = Duration.FromSeconds(1),
            Drain = Duration.FromSeconds(2),
            ClientSysctls = [("net.ipv4.tcp_max_tw_buckets", "5")],
        });

        Assert.Equal(report.Attempted, report.Completed);
        Assert.Equal(5, report.PeakTimeWaitByHost["client-1"]);
        Assert.Equal(report.Completed - 5, report.TimeWaitOverflow);
        Assert.Contains(report.Diagnosis, line => line.Contains("tcp_max_tw_buckets", StringComparison.Ordinal));
    }

    [Fact]
    public void SO_LINGER_zero_avoids_TIME_WAIT_at_the_price_of_resets()
    {
        // Proves SO_LINGER {1,0} on the closing client: one RST per connection and no TIME_WAIT anywhere.
        var report = LoadRunner.Run(new LoadSettings { Rate = 100, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(2), Linger = 0, Sysctls = [s_tenPorts] });

        Assert.Equal(report.Attempted, report.Completed);
        Assert.Equal(0, report.PeakTimeWaitByHost["client-1"]);
        Assert.Equal(0, report.PeakTimeWaitByHost["server-1"]);
        Assert.True(report.ResetsSent >= report.Completed, $"resets {report.ResetsSent}, completed {report.Completed}");
    }

    [Fact]
    public void Keep_alive_connections_carry_every_request()
    {
        // Proves --requests-per-connection and a closed loop: each connection answers 5 requests; none fails.
        var report = LoadRunner.Run(new LoadSettings { Concurrency = 4, Clients = 2, Servers = 2, RequestsPerConnection = 5, Duration = Duration.FromSeconds(2), Drain = Duration.FromSeconds(1) });

        Assert.Equal(0, report.Failed);
        Assert.True(report.Completed > 100, $"completed {report.Completed}");
        Assert.True(report.RequestsCompleted >= report.Completed * 5);
    }

    [Fact]
    public void Think_time_separates_the_requests_of_a_connection()
    {
        // Proves --think-time in a closed loop: 3 requests a connection with 100 ms between them make each
        // connection last just over 200 ms, and the loop thinks 100 ms more before replacing it, so one
        // connection at a time starts every 300 ms: 7 in 2 s (at 0, 0.3 ... 1.8 s), with 21 requests;
        // with 10 in flight and random think times every connection still carries its 3 requests.
        var serial = LoadRunner.Run(new LoadSettings
        {
            Concurrency = 1, Clients = 1, Servers = 1, RequestsPerConnection = 3, ThinkTime = Distribution.Fixed(100e6),
            Duration = Duration.FromSeconds(2), Drain = Duration.FromSeconds(1),
        });
        Assert.Equal(0, serial.Failed);
        Assert.Equal(7, serial.Completed);
        Assert.Equal(serial.Completed * 3, serial.RequestsCompleted);

        var parallel = LoadRunner.Run(new LoadSettings
        {
            Concurrency = 10, Clients = 2, Servers = 1, RequestsPerConnection = 3, ThinkTime = Distribution.ParseDuration("exp:20ms", "--think-time"),
            Duration = Duration.FromSeconds(2), Drain = Duration.FromSeconds(2),
        });
        Assert.Equal(0, parallel.Failed);
        Assert.Equal(0, parallel.Open);
        Assert.Equal(parallel.Completed * 3, parallel.RequestsCompleted);
        Assert.InRange(parallel.Completed, 200, 400);
    }

    [Fact]
    public void The_json_summary_is_consistent_and_a_run_replays_identically()
    {
        // Proves the JSON schema's totals (attempted = completed + failed + open), one time-series row per
        // simulated second, and determinism: the same settings give the same JSON twice.
        var settings = new LoadSettings { Rate = 50, Clients = 3, Servers = 2, Arrival = "poisson", Duration = Duration.FromSeconds(3), Drain = Duration.FromSeconds(2), Sysctls = [s_tenPorts] };
        string first = LoadRunner.Run(settings).ToJson();
        string second = LoadRunner.Run(settings).ToJson();
        Assert.Equal(first, second);

        using var document = JsonDocument.Parse(first);
        var summary = document.RootElement.GetProperty("summary");
        long attempted = summary.GetProperty("attempted").GetInt64();
        Assert.Equal(attempted, summary.GetProperty("completed").GetInt64() + summary.GetProperty("failed").GetInt64() + summary.GetProperty("open").GetInt64());
        var series = document.RootElement.GetProperty("timeSeries");
        Assert.InRange(series.GetArrayLength(), 6, 7);
        Assert.Equal(attempted, series[series.GetArrayLength() - 1].GetProperty("Attempted").GetInt64());
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_option_named()
    {
        // Proves option validation: a clear message naming the option (the CLI turns it into exit code 2).
        var error = Assert.Throws<ScenarioException>(() => LoadRunner.Run(new LoadSettings { Rate = 10, Concurrency = 5 }));
        Assert.StartsWith("--rate: give either --rate", error.Message, StringComparison.Ordinal);
        var badRule = Assert.Throws<ScenarioException>(() => LoadRunner.Run(new LoadSettings { Rate = 10, Rules = ["-A INPUT -p tcp --dport 80 -j DRPO"] }));
        Assert.StartsWith("--rule: '", badRule.Message, StringComparison.Ordinal);
    }
}
