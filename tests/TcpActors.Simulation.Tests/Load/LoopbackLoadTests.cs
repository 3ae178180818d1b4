using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Simulation.Tests.Load;

/// <summary>Load runs with clients and servers on one host over lo (<see cref="LoadSettings.Loopback"/>).</summary>
public sealed class LoopbackLoadTests
{
    private static readonly (string, string) s_tenPorts = ("net.ipv4.ip_local_port_range", "40000 40009");

    [Fact]
    public void On_loopback_the_default_tcp_tw_reuse_2_recycles_TIME_WAIT_after_a_second()
    {
        // Proves tcp_tw_reuse's default (2) on loopback: 10 ports sustain 8 connections a second, each port recycled
        // from TIME_WAIT 1.25 s after its last use (TWRecycled), where between two hosts (LoadTests) only the first 10
        // connections of the minute succeed; with tcp_tw_reuse=0 loopback is no different.
        var reused = LoadRunner.Run(new LoadSettings { Loopback = true, Rate = 8, Duration = Duration.FromSeconds(5), Drain = Duration.FromSeconds(2), Sysctls = [s_tenPorts] });
        var notReused = LoadRunner.Run(new LoadSettings
        {
            Loopback = true,
            Rate = 8,
            Duration = Duration.FromSeconds(5),
            Drain = Duration.FromSeconds(2),
            Sysctls = [s_tenPorts, ("net.ipv4.tcp_tw_reuse", "0")],
        });

        Assert.Equal(40, reused.Attempted);
        Assert.Equal(40, reused.Completed);
        Assert.Equal(30, reused.TimeWaitRecycled);
        Assert.Equal(10, notReused.Completed);
        Assert.Equal(30, notReused.FailuresByError["EADDRNOTAVAIL"]);
        Assert.Equal(["client-1"], reused.PeakTimeWaitByHost.Keys);
    }

    [Fact]
    public void Each_server_address_on_lo_is_a_destination_of_its_own_for_the_ports()
    {
        // Proves the servers of a loopback run are 127.0.0.1..N of one host and one listener: 10 ports give 10
        // connections to each of 4 addresses before connect() fails (exhaustion is per destination ip:port).
        var report = LoadRunner.Run(new LoadSettings
        {
            Loopback = true,
            Servers = 4,
            Rate = 100,
            Duration = Duration.FromSeconds(1),
            Drain = Duration.FromSeconds(1),
            Sysctls = [s_tenPorts, ("net.ipv4.tcp_tw_reuse", "0")],
        });

        Assert.Equal(100, report.Attempted);
        Assert.Equal(40, report.Completed);
        Assert.Equal(60, report.FailuresByError["EADDRNOTAVAIL"]);
        Assert.Equal(11, report.PeakPortsInUseByHost["client-1"]); // the 10 ephemeral ports and the listening port 80
        Assert.Equal(40, report.FinalTimeWaitByHost["client-1"]);
    }

    [Fact]
    public void Several_client_applications_share_the_one_hosts_ports()
    {
        // Proves --clients on loopback counts applications of one host: 3 of them at 30 connections a second in all
        // draw on the same 10 ports (no reuse), so exactly 10 connections succeed whatever application made them.
        var report = LoadRunner.Run(new LoadSettings
        {
            Loopback = true,
            Clients = 3,
            Rate = 30,
            Duration = Duration.FromSeconds(1),
            Drain = Duration.FromSeconds(1),
            Sysctls = [s_tenPorts, ("net.ipv4.tcp_tw_reuse", "0")],
        });

        Assert.Equal(30, report.Attempted);
        Assert.Equal(10, report.Completed);
        Assert.Equal(11, report.PeakPortsInUseByHost["client-1"]); // and the listening port
    }

    [Fact]
    public void Netem_on_a_loopback_run_delays_lo_so_both_directions_wait()
    {
        // Proves --netem goes on lo in a loopback run (tc qdisc add dev lo root netem delay 10ms): the SYN and the
        // SYN-ACK both leave through lo, so every connect() takes 20 ms.
        var report = LoadRunner.Run(new LoadSettings { Loopback = true, Rate = 100, Duration = Duration.FromSeconds(1), Drain = Duration.FromSeconds(1), Netem = ["delay 10ms"] });

        Assert.Equal(100, report.Completed);
        Assert.Equal(0.020, report.ConnectLatency["p50"], 6);
        Assert.Equal(0.020, report.ConnectLatency["max"], 6);
    }

    [Fact]
    public void A_loopback_run_refuses_settings_for_one_side()
    {
        // Proves the one-host rule: per-side sysctls are refused with the option named (the CLI exits with 2).
        var error = Assert.Throws<ScenarioException>(() => LoadRunner.Run(new LoadSettings { Loopback = true, Rate = 10, ServerSysctls = [("net.core.somaxconn", "10")] }));
        Assert.StartsWith("--server-sysctl: a loopback run has one host", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loopback_run_refuses_a_prefix_that_names_no_host()
    {
        // Proves 'servers:' on a loopback run (whose servers are addresses, not hosts) is refused, not applied nowhere.
        var error = Assert.Throws<ScenarioException>(() => LoadRunner.Run(new LoadSettings { Loopback = true, Rate = 10, Rules = ["servers: -A INPUT -j DROP"] }));
        Assert.Equal("--rule: 'servers:' names no hosts (a loopback run has one host, client-1: give the line without a prefix)", error.Message);
    }
}
