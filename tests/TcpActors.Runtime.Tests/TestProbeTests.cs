using TcpActors.Runtime.TestKit;

namespace TcpActors.Runtime.Tests;

public sealed class TestProbeTests
{
    [Fact]
    public void ExpectMsg_fails_with_a_timeout_message_in_virtual_time()
    {
        // Proves an unmet expectation fails after its virtual-time limit, naming what it waited for.
        var system = ActorSystem.Create("timeout");
        var probe = new TestProbe(system);
        var error = Assert.Throws<TestKitAssertionException>(() => probe.ExpectMsg<string>(Duration.FromSeconds(134)));
        Assert.Equal("Timeout (134s) at 134.000000 s while waiting for a message of type String.", error.Message);
    }

    [Fact]
    public void ExpectMsg_fails_on_the_wrong_type_or_predicate()
    {
        // Proves mismatches are reported with the message actually received.
        var system = ActorSystem.Create("mismatch");
        var probe = new TestProbe(system);
        probe.Tell(7);
        var wrongType = Assert.Throws<TestKitAssertionException>(() => probe.ExpectMsg<string>());
        Assert.Contains("got 7 (Int32)", wrongType.Message, StringComparison.Ordinal);
        probe.Tell(8);
        Assert.Throws<TestKitAssertionException>(() => probe.ExpectMsg<int>(n => n == 9));
    }

    [Fact]
    public void ExpectNoMsg_fails_when_something_arrives()
    {
        // Proves ExpectNoMsg really watches the whole window.
        var system = ActorSystem.Create("nomsg");
        var probe = new TestProbe(system);
        system.ScheduleTellOnce(Duration.FromSeconds(2), probe, "surprise", null);
        var error = Assert.Throws<TestKitAssertionException>(() => probe.ExpectNoMsg(Duration.FromSeconds(3)));
        Assert.Contains("surprise", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FishForMessage_skips_until_a_match()
    {
        // Proves FishForMessage discards non-matching messages and returns the first match.
        var system = ActorSystem.Create("fish");
        var probe = new TestProbe(system);
        foreach (var n in new[] { 1, 2, 3, 4 })
        {
            system.ScheduleTellOnce(Duration.FromSeconds(n), probe, n, null);
        }

        Assert.Equal(3, probe.FishForMessage<int>(n => n >= 3, Duration.FromSeconds(10)));
        Assert.Equal(4, probe.ExpectMsg<int>(Duration.FromSeconds(10)));
    }
}
