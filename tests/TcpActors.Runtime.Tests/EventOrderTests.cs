using TcpActors.Runtime.TestKit;

namespace TcpActors.Runtime.Tests;

public sealed class EventOrderTests
{
    [Fact]
    public void Messages_sent_at_the_same_time_arrive_in_the_order_they_were_sent()
    {
        // Proves equal-time events run in sequence order: a FIFO across senders and receivers.
        var system = ActorSystem.Create("order");
        var probe = new TestProbe(system);
        var a = system.ActorOf(Props.Create(() => new Recorder(probe, "a")), "a");
        var b = system.ActorOf(Props.Create(() => new Recorder(probe, "b")), "b");
        a.Tell(1);
        b.Tell(2);
        a.Tell(3);

        Assert.Equal("a:1@0.000000", probe.ExpectMsg<string>());
        Assert.Equal("b:2@0.000000", probe.ExpectMsg<string>());
        Assert.Equal("a:3@0.000000", probe.ExpectMsg<string>());
    }

    [Fact]
    public void Delayed_messages_run_at_their_time_and_ties_keep_scheduling_order()
    {
        // Proves the heap orders by (time, sequence): later times later, equal times in scheduling order.
        var system = ActorSystem.Create("delays");
        var probe = new TestProbe(system);
        var a = system.ActorOf(Props.Create(() => new Recorder(probe, "a")));
        system.ScheduleTellOnce(Duration.FromMilliseconds(30), a, "third", null);
        system.ScheduleTellOnce(Duration.FromMilliseconds(10), a, "first", null);
        system.ScheduleTellOnce(Duration.FromMilliseconds(30), a, "fourth", null);
        system.ScheduleTellOnce(Duration.FromMilliseconds(20), a, "second", null);

        Assert.Equal(
            ["a:first@0.010000", "a:second@0.020000", "a:third@0.030000", "a:fourth@0.030000"],
            Enumerable.Range(0, 4).Select(_ => probe.ExpectMsg<string>(Duration.FromSeconds(1))).ToArray());
    }

    [Fact]
    public void A_message_sent_now_runs_after_a_timer_due_now_that_was_scheduled_earlier()
    {
        // Proves the FIFO ring and the heap merge by sequence number when both hold events for one instant.
        var system = ActorSystem.Create("merge");
        var probe = new TestProbe(system);
        var a = system.ActorOf(Props.Create(() => new Recorder(probe, "a")));
        system.ScheduleTellOnce(Duration.FromSeconds(1), a, "early-scheduled", null);
        var trigger = system.ActorOf(Props.Create(() => new Scripted((context, _) => a.Tell("sent-at-1s"))));
        system.ScheduleTellOnce(Duration.FromSeconds(1), trigger, "go", null);

        Assert.Equal("a:early-scheduled@1.000000", probe.ExpectMsg<string>(Duration.FromSeconds(2)));
        Assert.Equal("a:sent-at-1s@1.000000", probe.ExpectMsg<string>(Duration.FromSeconds(2)));
    }

    [Fact]
    public void Ping_pong_between_two_actors_keeps_the_sender()
    {
        // Proves Sender is the actor that sent the message being handled.
        var system = ActorSystem.Create("pingpong");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        probe.Send(echo, "ping");
        probe.Send(echo, 41);

        Assert.Equal("pong", probe.ExpectMsg<string>());
        Assert.Same(echo, probe.LastSender);
        Assert.Equal(42, probe.ExpectMsg<int>());
    }

    [Fact]
    public void Unhandled_messages_are_counted_and_published()
    {
        // Proves a message no handler takes is not lost silently: it is counted and published.
        var system = ActorSystem.Create("unhandled");
        var seen = new List<UnhandledMessage>();
        system.EventStream.Subscribe<UnhandledMessage>(seen.Add);
        var echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        echo.Tell("ignore");
        echo.Tell(3.14);
        system.RunUntilIdle();

        Assert.Equal(2, system.UnhandledCount);
        Assert.Equal(["ignore", 3.14], seen.Select(u => u.Message).ToArray());
        Assert.All(seen, u => Assert.Same(echo, u.Recipient));
    }

    [Fact]
    public void Time_prints_as_seconds_with_microseconds()
    {
        // Proves the printed form of virtual time, which every trace uses.
        Assert.Equal("0.000000", SimTime.Zero.ToString());
        Assert.Equal("134.213457", new SimTime(134_213_457_999).ToString());
        Assert.Equal("200ms", Duration.FromMilliseconds(200).ToString());
        Assert.Equal("60s", Duration.FromSeconds(60).ToString());
        Assert.Equal("1.5s", Duration.FromMilliseconds(1500).ToString());
    }
}
