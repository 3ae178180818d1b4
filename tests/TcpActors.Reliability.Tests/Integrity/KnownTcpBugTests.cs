namespace TcpActors.Reliability.Tests;

/// <summary>
/// One deterministic reproducer per TCP bug the property tests found. While a bug stands its reproducer is
/// skipped with the bug named (<see cref="KnownTcpBugs"/>); once fixed it runs as it is, as a regression test.
/// </summary>
public sealed class KnownTcpBugTests
{
    [Fact]
    public void A_short_partition_during_a_64_kB_send_is_repaired_within_a_minute_of_the_heal()
    {
        // Proves loss recovery after an RTO: Linux retransmits the lost window in slow start, in a few round trips.
        var plan = Case(1924316426634, 0, 9766, ["net.ipv4.tcp_timestamps=0"],
            Connection(
                new EndpointPlan([new(1, 0), new(1, 271), new(21_200, 0), new(1, 3241), new(44_621, 0)], Ending.ShutdownWrite, 0, 0, null, false),
                new EndpointPlan([], Ending.ShutdownWrite, 0, 0, null, true),
                startMilliseconds: 1181),
            new ChaosPlan(4690, FaultKind.Partition, "", "", 582));

        var outcome = IntegrityProperty.Check(plan);

        var repaired = outcome.Settle.Time - (Runtime.SimTime.Zero + Runtime.Duration.FromMilliseconds(plan.FaultsMilliseconds));
        Assert.True(repaired <= Runtime.Duration.FromSeconds(60), $"the connections finished {repaired} after the faults ended");
    }

    [Fact]
    public void Every_generated_case_settles_within_ten_minutes_of_the_faults_ending()
    {
        // Proves bounded recovery over generated cases: once the faults are off, Linux finishes every connection
        // within a few round trips and backed-off RTOs; ten minutes (plus what slow readers need) is generous.
        var cases = IntegrityGenerators.Arbitrary(maxConnections: 2, maxBytesPerWrite: 65_536);
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500)
            .WithReplay(Microsoft.FSharp.Core.FSharpOption<FsCheck.Replay>.Some(new FsCheck.Replay(new FsCheck.Rnd(99, 1442695040888963407), Microsoft.FSharp.Core.FSharpOption<int>.None)));
        FsCheck.Check.One(config, FsCheck.Fluent.Prop.ForAll(cases, plan =>
        {
            var outcome = IntegrityProperty.Check(plan);
            var faultsEnd = Runtime.SimTime.Zero + Runtime.Duration.FromMilliseconds(plan.FaultsMilliseconds);
            var limit = IntegrityRun.LinuxRecoveryLimit + IntegrityRun.ReadingTime(plan);
            // Runs that end half-open (a lost reset, an error on one side) never settle, legitimately: only the others are timed.
            if (outcome.Settle.Reason == Runtime.StopReason.ConditionMet && outcome.Settle.Time - faultsEnd > limit)
            {
                throw new IntegrityException($"settled {outcome.Settle.Time - faultsEnd} after the faults ended (limit {limit})\n{IntegrityProperty.Replay(plan)}");
            }
        }));
    }

    [Fact]
    public void A_receiver_with_SO_RCVBUF_1071_takes_the_data_it_offers_a_window_for()
    {
        // Proves a tiny receive buffer still moves data: no chaos, 2336 bytes, SO_RCVBUF 1071 on the reader.
        var plan = Case(156763564841, 0, 3512, [],
            Connection(
                new EndpointPlan([new(2336, 2541)], Ending.CloseAfterEndOfStream, 0, 0, null, true),
                new EndpointPlan([], Ending.ShutdownWrite, 0, 0, 1071, true)));

        var outcome = IntegrityProperty.Check(plan);

        Assert.Equal(2336, outcome.Connections[0].Server.Received.Count);
    }

    [Fact]
    public void A_slow_reader_with_default_buffers_gets_every_byte()
    {
        // Proves flow control with a slow reader: no chaos, 95058 bytes, 16 bytes read every 208 ms.
        var plan = Case(885994010805, 0, 5377, [],
            Connection(
                new EndpointPlan([new(45_860, 0), new(49_198, 0)], Ending.ShutdownWrite, 0, 0, null, true),
                new EndpointPlan([], Ending.ShutdownWrite, 16, 208, null, false)));

        var outcome = IntegrityProperty.Check(plan);

        Assert.Equal(95_058, outcome.Connections[0].Server.Received.Count);
    }

    [Fact]
    public void A_FIN_refused_by_the_senders_OUTPUT_chain_is_sent_once_the_rule_goes()
    {
        // Proves a locally refused FIN is retried: OUTPUT drops FINs for 3 s while the server closes.
        var plan = Case(3192597035111, 0, 10038, [],
            Connection(
                new EndpointPlan([], Ending.ShutdownWrite, 0, 0, null, true),
                new EndpointPlan([new(1, 3397)], Ending.CloseNow, 0, 0, null, false)),
            new ChaosPlan(3159, FaultKind.Iptables, "server", "OUTPUT -p tcp --tcp-flags FIN FIN -j DROP", 3010));

        var outcome = IntegrityProperty.Check(plan);

        Assert.True(outcome.Connections[0].Client.EndOfStream);
    }

    [Fact]
    public void A_retransmission_refused_by_the_senders_OUTPUT_chain_does_not_end_the_connection()
    {
        // Proves the give-up clock starts at the first attempted retransmission: the data is lost on the wire
        // (server INPUT drop, 0.9-1.1 s), its first retransmission is refused by the client's OUTPUT chain
        // (1.1-1.5 s), then the network is clean: Linux delivers everything, with no error.
        var plan = Case(42, 0, 2000, [],
            Connection(
                new EndpointPlan([new(2000, 1000)], Ending.ShutdownWrite, 0, 0, null, true),
                new EndpointPlan([], Ending.CloseAfterEndOfStream, 0, 0, null, false)),
            new ChaosPlan(900, FaultKind.Iptables, "server", "INPUT -p tcp --tcp-flags ACK,PSH ACK,PSH -j DROP", 200),
            new ChaosPlan(1100, FaultKind.Iptables, "client", "OUTPUT -p tcp --tcp-flags ACK,PSH ACK,PSH -j DROP", 400));

        var outcome = IntegrityProperty.Check(plan);

        var connection = outcome.Connections[0];
        Assert.Empty(connection.Client.Errors);
        Assert.Equal(2000, connection.Server.Received.Count);
    }

    [Fact]
    public void Segments_that_carry_SACK_blocks_still_fit_the_MTU()
    {
        // Proves a sender holding the peer's out-of-order data still gets its own full-sized segments through:
        // both sides write across a 0.8 s partition, without timestamps.
        var plan = Case(4232612487743, 10_000, 17054, ["net.ipv4.tcp_timestamps=0", "net.ipv4.tcp_syn_retries=3"],
            Connection(
                new EndpointPlan([new(16_796, 355)], Ending.ShutdownWrite, 0, 0, null, false),
                new EndpointPlan([new(1887, 482)], Ending.CloseAfterEndOfStream, 0, 0, null, false)),
            new ChaosPlan(304, FaultKind.Partition, "", "", 778));

        var outcome = IntegrityRun.Execute(plan);

        Assert.Empty(IntegrityVerdict.Judge(outcome));
    }

    [Fact]
    public void A_lingering_close_whose_FIN_is_acknowledged_in_time_returns_and_ends_cleanly()
    {
        // Proves behaviour 17 end to end: close() with SO_LINGER {1,5} on loopback, its FIN acknowledged 40 ms later.
        var scenario = Simulation.ScenarioLoader.LoadFile(FuzzCorpus.PathOf("known-crashes", "linger-close.yaml"));

        var report = Simulation.ScenarioRunner.Run(scenario);

        Assert.Contains(report.Calls, call => call.ToString().Contains("close(sock)", StringComparison.Ordinal) && call.ToString().Contains("-> ok", StringComparison.Ordinal));
    }

    [Fact]
    public void Lingering_closes_under_chaos_keep_the_data_integrity_property()
    {
        // Proves the property with SO_LINGER {1,N} closes among the endings (a lingering close once crashed TCP).
        var client = new EndpointPlan([new(5000, 0)], Ending.LingerClose, 0, 0, null, false);
        var server = new EndpointPlan([new(300, 0)], Ending.CloseAfterEndOfStream, 0, 0, null, false);

        IntegrityProperty.Check(new IntegrityCase(5, 1000, 2000, [], [new(0, client, server)], [new(100, FaultKind.Netem, "client", "delay 10ms loss 20%", 1500)]));
    }

    private static IntegrityCase Case(ulong seed, int linkDelayMicroseconds, int faultsMilliseconds, string[] sysctls, ConnectionPlan connection, params ChaosPlan[] chaos) =>
        new(seed, linkDelayMicroseconds, faultsMilliseconds, sysctls, [connection], chaos);

    private static ConnectionPlan Connection(EndpointPlan client, EndpointPlan server, int startMilliseconds = 0) =>
        new(startMilliseconds, client, server);
}
