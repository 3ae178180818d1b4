using System.Globalization;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The data-integrity property under random chaos, random application behaviour and random seeds
/// (see <see cref="IntegrityVerdict"/> for the property, docs/reliability.md for the knobs).
/// </summary>
public sealed class DataIntegrityTests(ITestOutputHelper output)
{
    /// <summary>Cases per FsCheck property in CI; TCPACTORS_INTEGRITY_CASES overrides it.</summary>
    public const int DefaultCases = 4000;

    [Fact]
    public void A_clean_network_delivers_every_byte_both_ways_then_settles()
    {
        // Proves the harness itself on a fault-free run: full streams both ways, end of stream, nothing left.
        var client = new EndpointPlan([new(1000, 0), new(70_000, 10), new(5, 0)], Ending.ShutdownWrite, 0, 0, null, false);
        var server = new EndpointPlan([new(3000, 0), new(20_000, 50)], Ending.CloseAfterEndOfStream, 100, 5, 4096, true);
        var plan = new IntegrityCase(7, 2000, 1000, [], [new(0, client, server)], []);

        var outcome = IntegrityProperty.Check(plan);

        var connection = outcome.Connections[0];
        Assert.Equal(71_005, connection.Server.Received.Count);
        Assert.Equal(23_000, connection.Client.Received.Count);
        Assert.True(connection.Client.EndOfStream && connection.Server.EndOfStream);
        Assert.Equal(0, outcome.Invariants.ViolationCount);
        Assert.True(outcome.Invariants.SegmentsChecked > 50); // 57 packets: fewer than the ~65 segments, since GSO packets stand for several
    }

    [Fact]
    public void A_reader_whose_peer_timed_out_silently_may_wait_half_open()
    {
        // Proves the liveness rule for a silent give-up (the first case found with slow polled reads): the server
        // writes 1 byte into a 2.8 s partition with tcp_retries2=3, so its TCP gives up (ETIMEDOUT, no reset) after
        // the partition; its application, reading 16 bytes every 174 ms, reads the client's data and end of
        // stream, which were queued first, and close() returns 0. The client waits for the byte forever, as it
        // would on Linux: allowed, since TCP gave up on the connection.
        var client = new EndpointPlan([new(161, 3141)], Ending.ShutdownWrite, 0, 0, null, true);
        var server = new EndpointPlan([new(1, 1294)], Ending.CloseAfterEndOfStream, 16, 174, null, true);
        var plan = new IntegrityCase(1079800579845, 40000, 4430, ["net.ipv4.tcp_retries2=3"], [new(0, client, server)], [new(1358, FaultKind.Partition, "", "", 2781)]);

        var outcome = IntegrityProperty.Check(plan);

        var connection = outcome.Connections[0];
        Assert.Empty(connection.Server.Errors);
        Assert.NotNull(connection.Client.HungAtSettle);
        Assert.Contains(outcome.TimedOut, t => t.Local == connection.Server.Local);
    }

    [Fact]
    public void Bytes_arrive_intact_or_an_error_is_reported_under_random_chaos()
    {
        // Proves the property over generated cases: up to 3 connections, writes up to 20 kB, every kind of fault.
        Run(IntegrityGenerators.Arbitrary(maxConnections: 3, maxBytesPerWrite: 20_000), seed: 20260101, gamma: 7046029254386353131);
    }

    [Fact]
    public void One_connection_with_large_writes_survives_heavy_chaos()
    {
        // Proves the property where flow control matters most: one connection, writes up to 64 kB, small buffers now and then.
        Run(IntegrityGenerators.Arbitrary(maxConnections: 1, maxBytesPerWrite: 65_536), seed: 424242, gamma: 1442695040888963407, share: 3);
    }

    [Fact]
    public void Replays_the_case_in_TCPACTORS_CASE()
    {
        // Replays one case printed by a failing run (JSON, or a path to a JSON file); passes vacuously when the variable is unset.
        string? value = Environment.GetEnvironmentVariable(IntegrityProperty.CaseVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            output.WriteLine($"{IntegrityProperty.CaseVariable} is not set: nothing to replay");
            return;
        }

        string json = File.Exists(value) ? File.ReadAllText(value) : value;
        var plan = IntegrityCase.FromJson(json);
        if (Environment.GetEnvironmentVariable("TCPACTORS_TRACE") is { Length: > 0 } tracePath)
        {
            using var trace = new StreamWriter(tracePath);
            IntegrityRun.Execute(plan, trace);
        }

        var outcome = IntegrityProperty.Check(plan);
        output.WriteLine(outcome.Invariants.Describe());
        output.WriteLine($"{outcome.Events} events, {outcome.Retransmissions} retransmissions");
    }

    private void Run(FsCheck.Arbitrary<IntegrityCase> cases, ulong seed, ulong gamma, int share = 1)
    {
        int count = Cases() / share;
        if (Environment.GetEnvironmentVariable("TCPACTORS_FSCHECK_SEED") is { Length: > 0 } replay)
        {
            var parts = replay.Split(',', StringSplitOptions.TrimEntries);
            (seed, gamma) = (ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        IntegrityProperty.CheckMany(cases, count, seed, gamma, output.WriteLine);
    }

    private static int Cases() =>
        int.TryParse(Environment.GetEnvironmentVariable("TCPACTORS_INTEGRITY_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out int cases) && cases > 0
            ? cases
            : DefaultCases;
}
