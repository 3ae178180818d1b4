using TcpActors.Runtime;

namespace TcpActors.Simulation.Tests.Load;

/// <summary>The closed loop's back-off after failed connections: bounded retries when connect() fails at once, and no starvation once it can succeed.</summary>
public sealed class ClosedLoopBackoffTests
{
    private static readonly (string, string) s_fiftyPorts = ("net.ipv4.ip_local_port_range", "40000 40049");

    [Fact]
    public void The_back_off_doubles_from_1_ms_and_stays_at_1_s()
    {
        // Proves the schedule: 1, 2, 4 … 512 ms for the first ten failures in a row, then 1 s, with no overflow far out.
        long[] expected = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000];
        Assert.Equal(expected, Enumerable.Range(1, 12).Select(n => LoadClient.Backoff(n) / 1_000_000));
        Assert.Equal(1_000_000_000, LoadClient.Backoff(1_000_000));
    }

    [Fact]
    public void An_exhausted_port_range_costs_about_one_connect_a_second_per_connection_not_one_a_millisecond()
    {
        // Proves the back-off bounds the failures: 100 connections in flight, 50 ports. 50 connect and keep
        // their ports in TIME_WAIT for 60 s; the other 50 slots fail EADDRNOTAVAIL at once. The client's
        // failures in a row reach 11 (1 s waits) within its first 11 failures, after which each of the at most
        // 100 slots fails at most once a second: at most 11 + 100 × 11 in 10 s (a 1 ms retry made 500,000).
        var report = LoadRunner.Run(new LoadSettings { Concurrency = 100, Duration = Duration.FromSeconds(10), Drain = Duration.FromSeconds(1), Sysctls = [s_fiftyPorts] });

        long failed = report.FailuresByError["EADDRNOTAVAIL"];
        Assert.Equal(50, report.Completed);
        Assert.Equal(report.Failed, failed);
        Assert.InRange(failed, 50 * 9, 11 + (100 * 11));
        Assert.Equal(failed, report.Backoffs);
        Assert.Equal(1.0, report.LongestBackoffSeconds);
        Assert.Single(report.Diagnosis, line => line.StartsWith("The closed loop backed off", StringComparison.Ordinal) && line.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{failed:N0} replacements waited, the longest 1 s"), StringComparison.Ordinal));
    }

    [Fact]
    public void Ports_freed_when_time_wait_ends_are_taken_again_within_the_one_second_cap()
    {
        // Proves the cap keeps a failing client ready: the 50 TIME_WAITs of the first connections end at 60 s,
        // and within 1 s the backed-off slots take all 50 ports again, so by 61.5 s exactly 100 have completed.
        var report = LoadRunner.Run(new LoadSettings { Concurrency = 100, Duration = Duration.FromSeconds(61.5), Drain = Duration.FromSeconds(1), Sysctls = [s_fiftyPorts] });

        Assert.Equal(100, report.Completed);
        Assert.Equal(report.Failed, report.FailuresByError["EADDRNOTAVAIL"]);
    }

    [Fact]
    public void A_run_without_failures_has_no_back_off_line()
    {
        // Proves the diagnosis line appears only when the loop backed off.
        var report = LoadRunner.Run(new LoadSettings { Concurrency = 4, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(1) });

        Assert.Equal(0, report.Failed);
        Assert.Equal(0, report.Backoffs);
        Assert.DoesNotContain(report.Diagnosis, line => line.Contains("backed off", StringComparison.Ordinal));
    }
}
