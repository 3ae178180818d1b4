using TcpActors.Runtime.TestKit;

namespace TcpActors.Runtime.Tests;

public sealed class RunControlTests
{
    [Fact]
    public void RunFor_advances_the_clock_even_when_idle()
    {
        // Proves virtual time moves to the requested point whether or not events exist.
        var system = ActorSystem.Create("runfor");
        var result = system.RunFor(Duration.FromSeconds(60));
        Assert.Equal(StopReason.TimeReached, result.Reason);
        Assert.Equal(SimTime.FromSeconds(60), system.Now);
    }

    [Fact]
    public void RunUntil_stops_before_later_events_and_keeps_them()
    {
        // Proves events after the target time are left queued for the next run call.
        var system = ActorSystem.Create("rununtil");
        var probe = new TestProbe(system);
        system.ScheduleTellOnce(Duration.FromSeconds(10), probe, "late", null);
        system.RunUntil(SimTime.FromSeconds(5));
        Assert.Equal(0, probe.QueuedCount);
        Assert.Equal(1, system.PendingEvents);
        Assert.Equal("late", probe.ExpectMsg<string>(Duration.FromSeconds(10)));
        Assert.Equal(SimTime.FromSeconds(10), probe.LastArrival);
    }

    [Fact]
    public void An_endless_timer_loop_is_stopped_by_the_event_limit_with_a_clear_message()
    {
        // Proves the event limit bounds a run that would never go idle.
        var system = ActorSystem.Create("limit") ;
        system.Limits = new RunLimits(MaxEvents: 1000, MaxTime: SimTime.MaxValue);
        var looper = system.ActorOf(Props.Create(() => new Scripted((context, message) => context.Self.Tell(message))));
        looper.Tell("again");
        var result = system.RunUntilIdle();
        Assert.Equal(StopReason.EventLimit, result.Reason);
        Assert.True(result.HitLimit);
        Assert.Equal("stopped: the limit of 1,000 events was reached at simulated time 0.000000 s", result.Message);
    }

    [Fact]
    public void The_time_limit_stops_a_run_with_a_clear_message()
    {
        // Proves the simulated-time limit bounds a run of periodic events.
        var system = ActorSystem.Create("timelimit");
        system.Limits = new RunLimits(long.MaxValue, SimTime.FromSeconds(100));
        var ticker = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
            context.ScheduleTellOnce(Duration.FromSeconds(30), context.Self, message, null))));
        ticker.Tell("tick");
        var result = system.RunUntilIdle();
        Assert.Equal(StopReason.TimeLimit, result.Reason);
        Assert.Equal("stopped: the limit of 100.000000 s of simulated time was reached", result.Message);
        Assert.True(system.Now <= SimTime.FromSeconds(100));
    }

    [Fact]
    public void Step_runs_exactly_one_event()
    {
        // Proves single stepping, for debuggers and tests that inspect intermediate states.
        var system = ActorSystem.Create("step");
        var probe = new TestProbe(system);
        probe.Tell("one");
        probe.Tell("two");
        Assert.Equal(StopReason.Stepped, system.Step().Reason);
        Assert.Equal(1, probe.QueuedCount);
        Assert.Equal(StopReason.Stepped, system.Step().Reason);
        Assert.Equal(StopReason.Idle, system.Step().Reason);
    }

    [Fact]
    public void A_throwing_actor_ends_the_run_with_its_path_message_type_and_time()
    {
        // Proves failures are loud: the exception names the actor, what it handled and when.
        var system = ActorSystem.Create("fail");
        var fragile = system.ActorOf(Props.Create(() => new Fragile()), "fragile");
        system.ScheduleTellOnce(Duration.FromMilliseconds(1500), fragile, "boom", null);
        var failure = Assert.Throws<ActorFailureException>(() => system.RunUntilIdle());
        Assert.Equal("/user/fragile", failure.ActorPath);
        Assert.Equal(SimTime.FromSeconds(1.5), failure.Time);
        Assert.Equal("Actor /user/fragile failed while handling message String at simulated time 1.500000 s: InvalidOperationException: kaboom", failure.Message);
        Assert.Throws<InvalidOperationException>(() => system.RunUntilIdle());
    }

    [Fact]
    public void RequestStop_interrupts_a_run()
    {
        // Proves Ctrl-C handling: a stop request ends the loop after the current event.
        var system = ActorSystem.Create("interrupt");
        int handled = 0;
        var looper = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            if (++handled == 10)
            {
                context.System.RequestStop();
            }

            context.Self.Tell(message);
        })));
        looper.Tell("spin");
        Assert.Equal(StopReason.Interrupted, system.RunUntilIdle().Reason);
        Assert.Equal(10, handled);
    }

    [Fact]
    public void Pacing_keeps_virtual_time_behind_the_wall_clock_times_the_speed()
    {
        // Proves pacing with an injected clock: 10 s of virtual time at speed 2 takes 5 s of wall time.
        var system = ActorSystem.Create("pacing");
        var clock = new ManualWallClock();
        system.EnablePacing(clock, speed: 2);
        var probe = new TestProbe(system);
        for (int second = 1; second <= 10; second++)
        {
            system.ScheduleTellOnce(Duration.FromSeconds(second), probe, second, null);
        }

        system.RunUntilIdle();
        Assert.Equal(10, probe.QueuedCount);
        Assert.Equal(Duration.FromSeconds(5), clock.TotalSlept);
        Assert.Equal(2.0, system.PacingSpeed);
    }

    [Fact]
    public void Pacing_does_not_sleep_when_the_simulation_is_behind()
    {
        // Proves a slow simulation is not slowed further: no sleep when wall time is already ahead.
        var system = ActorSystem.Create("behind");
        var clock = new ManualWallClock();
        system.EnablePacing(clock, speed: 1);
        clock.Advance(Duration.FromSeconds(100));
        var probe = new TestProbe(system);
        system.ScheduleTellOnce(Duration.FromSeconds(50), probe, "x", null);
        system.RunUntilIdle();
        Assert.Equal(Duration.Zero, clock.TotalSlept);
    }
}
