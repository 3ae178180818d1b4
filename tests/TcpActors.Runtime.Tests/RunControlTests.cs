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
    public void The_memory_limit_stops_a_run_at_its_first_check_over_the_bound_with_a_clear_message()
    {
        // Proves the managed-memory bound: any process holds more than 1 KB, so the first check, before the first event,
        // stops the run.
        var system = ActorSystem.Create("memorylimit");
        system.Limits = RunLimits.Unlimited with { MaxManagedMemoryBytes = 1024 };
        var looper = system.ActorOf(Props.Create(() => new Scripted((context, message) => context.Self.Tell(message))));
        looper.Tell("again");

        var result = system.RunUntilIdle();

        Assert.Equal(StopReason.MemoryLimit, result.Reason);
        Assert.True(result.HitLimit);
        Assert.Equal(0, result.EventsProcessed);
        Assert.Matches(@"^stopped: the limit of 1 KB of managed memory was reached at simulated time 0\.000000 s \([\d.,]+ (MB|KB|bytes) live after a full collection; where a memory limit stops a run is not reproducible\)$", result.Message);
    }

    [Fact]
    public void A_memory_limit_is_checked_again_every_check_interval_once_the_heap_is_under_it()
    {
        // Proves the checks' rhythm: a bound the process is under at the start lets the run go on, the heap is read
        // again only after CheckInterval more events, and a bound under the heap stops a run at once.
        var guard = new ManagedMemoryGuard();
        Assert.False(guard.Exceeded(long.MaxValue - 1, 0));
        Assert.False(guard.Exceeded(1, ManagedMemoryGuard.CheckInterval - 1));
        Assert.True(guard.Exceeded(1, ManagedMemoryGuard.CheckInterval));
        Assert.True(guard.LastMeasuredBytes > 1);
    }

    [Fact]
    public void Without_a_memory_limit_nothing_is_measured()
    {
        // Proves the default costs nothing and never stops a run: the guard returns before reading the heap.
        var guard = new ManagedMemoryGuard();
        Assert.False(guard.Exceeded(long.MaxValue, ManagedMemoryGuard.CheckInterval));
        Assert.Equal(0, guard.LastMeasuredBytes);
        Assert.Equal(long.MaxValue, RunLimits.Unlimited.MaxManagedMemoryBytes);
    }

    [Theory]
    [InlineData("512MB", 512L << 20)]
    [InlineData("2GB", 2L << 30)]
    [InlineData("2gib", 2L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData(" 64 KB ", 64L << 10)]
    [InlineData("1T", 1L << 40)]
    [InlineData("1000000", 1_000_000)]
    [InlineData("100B", 100)]
    public void Memory_sizes_read_as_people_write_them(string text, long bytes)
    {
        // Proves the units (powers of 1024, any case, with or without B or iB) and plain byte counts.
        Assert.True(MemorySize.TryParse(text, out long parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MB")]
    [InlineData("0")]
    [InlineData("0.1B")]
    [InlineData("-1GB")]
    [InlineData("2 PB")]
    [InlineData("1e9")]
    [InlineData("99999999999T")]
    [InlineData("NaN")]
    public void Memory_sizes_that_are_not_a_positive_amount_are_refused(string text)
    {
        // Proves nothing, zero, negative, unknown units, exponents and amounts past long are refused.
        Assert.False(MemorySize.TryParse(text, out _));
    }

    [Theory]
    [InlineData(2L << 30, "2 GB")]
    [InlineData(512L << 20, "512 MB")]
    [InlineData((612L << 20) + (300L << 10), "612.3 MB")]
    [InlineData(64L << 10, "64 KB")]
    [InlineData(1000, "1,000 bytes")]
    public void Memory_sizes_print_in_the_largest_whole_unit(long bytes, string text)
    {
        // Proves the form limit messages use.
        Assert.Equal(text, MemorySize.Format(bytes));
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
