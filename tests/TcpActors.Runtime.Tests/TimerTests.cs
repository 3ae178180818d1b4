using TcpActors.Runtime.TestKit;

namespace TcpActors.Runtime.Tests;

public sealed class TimerTests
{
    [Fact]
    public void A_single_timer_fires_once_at_its_deadline()
    {
        // Proves StartSingleTimer delivers once, at now + timeout, and is inactive afterwards.
        var system = ActorSystem.Create("single");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.StartSingle("rto", Duration.FromMilliseconds(200)));

        Assert.Equal("fired:rto@0.200000", probe.ExpectMsg<string>(Duration.FromSeconds(1)));
        probe.ExpectNoMsg(Duration.FromSeconds(5));
        actor.Tell(new TimerActor.Query("rto"));
        Assert.Equal("active:rto=False", probe.ExpectMsg<string>());
    }

    [Fact]
    public void Restarting_a_timer_under_the_same_key_replaces_it()
    {
        // Proves the restart rule: the first schedule never fires once replaced (stale generation).
        var system = ActorSystem.Create("restart");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.StartSingle("rto", Duration.FromSeconds(1)));
        system.RunFor(Duration.FromMilliseconds(500));
        actor.Tell(new TimerActor.StartSingle("rto", Duration.FromSeconds(1)));

        Assert.Equal("fired:rto@1.500000", probe.ExpectMsg<string>(Duration.FromSeconds(3)));
        probe.ExpectNoMsg(Duration.FromSeconds(3));
    }

    [Fact]
    public void A_cancelled_timer_never_fires_and_reports_inactive()
    {
        // Proves Cancel is effective even though the event stays queued until it surfaces.
        var system = ActorSystem.Create("cancel");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.StartSingle("keepalive", Duration.FromSeconds(7200)));
        actor.Tell(new TimerActor.Query("keepalive"));
        Assert.Equal("active:keepalive=True", probe.ExpectMsg<string>());
        actor.Tell(new TimerActor.Cancel("keepalive"));
        actor.Tell(new TimerActor.Query("keepalive"));
        Assert.Equal("active:keepalive=False", probe.ExpectMsg<string>());

        var result = system.RunUntilIdle();
        Assert.Equal(StopReason.Idle, result.Reason);
        Assert.Equal(0, probe.QueuedCount);
        Assert.Equal(0, system.PendingEvents);
    }

    [Fact]
    public void A_periodic_timer_fires_at_every_interval_until_cancelled()
    {
        // Proves periodic timers keep their phase (initial delay, then fixed interval) and stop on cancel.
        var system = ActorSystem.Create("periodic");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.StartPeriodic("probe", Duration.FromSeconds(7200), Duration.FromSeconds(75)));

        Assert.Equal("fired:probe@7200.000000", probe.ExpectMsg<string>(Duration.FromSeconds(7201)));
        Assert.Equal("fired:probe@7275.000000", probe.ExpectMsg<string>(Duration.FromSeconds(76)));
        Assert.Equal("fired:probe@7350.000000", probe.ExpectMsg<string>(Duration.FromSeconds(76)));
        actor.Tell(new TimerActor.Cancel("probe"));
        probe.ExpectNoMsg(Duration.FromSeconds(1000));
    }

    [Fact]
    public void Timers_stop_with_their_actor()
    {
        // Proves a stopped actor's timers are cancelled: nothing fires and nothing becomes a dead letter.
        var system = ActorSystem.Create("stoptimers");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.StartSingle("timewait", Duration.FromSeconds(60)));
        system.RunFor(Duration.FromSeconds(1));
        system.Stop(actor);

        Assert.Equal(StopReason.Idle, system.RunUntilIdle().Reason);
        Assert.Equal(0, probe.QueuedCount);
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public void A_new_actor_reusing_a_stopped_actors_timer_array_hears_only_its_own_timers()
    {
        // Proves the timer arrays given back by stopped actors are safe to reuse: the stopped actor's queued timer
        // events (at 1 s and 2 s) neither fire for the new owner of the array nor cancel its timers (at 3 s, 5 s).
        var system = ActorSystem.Create("reuse");
        var probe = new TestProbe(system);
        var first = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        first.Tell(new TimerActor.StartSingle("rto", Duration.FromSeconds(1)));
        first.Tell(new TimerActor.StartSingle("delack", Duration.FromSeconds(2)));
        system.RunFor(Duration.FromMilliseconds(500));
        system.Stop(first);
        system.RunFor(Duration.FromMilliseconds(1));

        var second = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        second.Tell(new TimerActor.StartSingle("rto", Duration.FromMilliseconds(2500)));
        second.Tell(new TimerActor.StartSingle("delack", Duration.FromMilliseconds(4500)));

        Assert.Equal("fired:rto@3.001000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        Assert.Equal("fired:delack@5.001000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        probe.ExpectNoMsg(Duration.FromSeconds(10));
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public void An_array_outgrown_by_a_live_actor_starts_clean_for_the_next()
    {
        // Proves an outgrown timer array is reset before another actor reuses it: its slots were copied while active,
        // and a reuse that saw them as active would cancel nothing yet count an event as stale (the pending count,
        // which the run loop trusts, would drop below the events really queued).
        var system = ActorSystem.Create("outgrown");
        var probe = new TestProbe(system);
        var first = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        first.Tell(new TimerActor.StartSingle("rto", Duration.FromSeconds(1)));
        first.Tell(new TimerActor.StartSingle("delack", Duration.FromSeconds(2)));
        first.Tell(new TimerActor.StartSingle("keepalive", Duration.FromSeconds(3)));
        system.RunFor(Duration.FromMilliseconds(1));
        var second = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        second.Tell(new TimerActor.StartSingle("rto", Duration.FromSeconds(4)));
        system.RunFor(Duration.FromMilliseconds(1));

        Assert.Equal(4, system.PendingEvents);
        Assert.Equal("fired:rto@1.000000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        Assert.Equal("fired:delack@2.000000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        Assert.Equal("fired:keepalive@3.000000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        Assert.Equal("fired:rto@4.001000", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
    }

    [Fact]
    public void Many_restarts_do_not_pile_up_stale_events()
    {
        // Proves compaction: restarting a timer a million times leaves the queue bounded.
        var system = ActorSystem.Create("compaction");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        actor.Tell(new TimerActor.Restart("rto", Duration.FromSeconds(1), 1_000_000));
        system.RunUntil(() => probe.QueuedCount > 0, Duration.Zero);
        system.Step();

        Assert.True(system.PendingEvents <= 2, $"pending {system.PendingEvents}");
        Assert.Equal("fired:rto@1.000000", probe.ExpectMsg<string>(Duration.FromSeconds(2)));
    }

    [Fact]
    public void Deadline_reports_when_the_timer_fires_next()
    {
        // Proves Deadline, which ss -o uses to print the remaining time of a socket timer.
        var system = ActorSystem.Create("deadline");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new TimerActor(probe)));
        system.RunFor(Duration.FromSeconds(3));
        actor.Tell(new TimerActor.StartSingle("rto", Duration.FromMilliseconds(200)));
        actor.Tell(new TimerActor.QueryDeadline("rto"));
        Assert.Equal("deadline:rto=3.200000", probe.ExpectMsg<string>());
    }

    internal sealed class TimerActor : UntypedActor, IWithTimers
    {
        private readonly IActorRef _probe;

        public TimerActor(IActorRef probe)
        {
            _probe = probe;
            Assert.NotNull(Timers);
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case StartSingle start:
                    Timers.StartSingleTimer(start.Key, new Fired(start.Key), start.Timeout);
                    break;
                case StartPeriodic start:
                    Timers.StartPeriodicTimer(start.Key, new Fired(start.Key), start.Initial, start.Interval);
                    break;
                case Restart restart:
                    for (int i = 0; i < restart.Times; i++)
                    {
                        Timers.StartSingleTimer(restart.Key, new Fired(restart.Key), restart.Timeout);
                    }

                    break;
                case Cancel cancel:
                    Timers.Cancel(cancel.Key);
                    break;
                case Query query:
                    _probe.Tell($"active:{query.Key}={Timers.IsTimerActive(query.Key)}", Self);
                    break;
                case QueryDeadline query:
                    _probe.Tell($"deadline:{query.Key}={Timers.Deadline(query.Key)}", Self);
                    break;
                case Fired fired:
                    _probe.Tell($"fired:{fired.Key}@{Context.Now}", Self);
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }

        public sealed record StartSingle(string Key, Duration Timeout);

        public sealed record StartPeriodic(string Key, Duration Initial, Duration Interval);

        public sealed record Restart(string Key, Duration Timeout, int Times);

        public sealed record Cancel(string Key);

        public sealed record Query(string Key);

        public sealed record QueryDeadline(string Key);

        public sealed record Fired(string Key);
    }
}
