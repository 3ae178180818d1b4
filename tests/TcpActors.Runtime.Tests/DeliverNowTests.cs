namespace TcpActors.Runtime.Tests;

public sealed class DeliverNowTests
{
    [Fact]
    public void A_direct_delivery_runs_inside_the_current_event_before_later_messages()
    {
        // Proves DeliverNow runs the target's handler at once (before the caller continues and before
        // messages already queued), with the caller as sender and without an event of its own.
        var system = ActorSystem.Create("direct");
        var log = new List<string>();
        IActorRef? target = null;
        target = system.ActorOf(Props.Create(() => new Scripted((context, message) => log.Add($"target:{message} from {context.Sender?.Path.Name}"))), "target");
        var caller = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            if (message is "go")
            {
                target.Tell("queued", context.Self);
                system.DeliverNow(target, "direct", context.Self);
                log.Add("caller continues");
            }
        })), "caller");
        caller.Tell("go");
        system.RunUntilIdle();

        Assert.Equal(["target:direct from caller", "caller continues", "target:queued from caller"], log);
        Assert.Equal(1, system.DirectDeliveries);
        Assert.Equal(2, system.EventsProcessed);
    }

    [Fact]
    public void A_direct_delivery_to_an_actor_whose_handler_is_running_is_queued()
    {
        // Proves an actor never runs two handlers at once: A delivers to B directly, B delivers back to
        // A directly, and A gets that message only after its current handler returns.
        var system = ActorSystem.Create("reentry");
        var log = new List<string>();
        IActorRef? a = null;
        IActorRef? b = null;
        a = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            log.Add("a begins " + message);
            if (message is "start")
            {
                system.DeliverNow(b!, "ping", context.Self);
            }

            log.Add("a ends " + message);
        })), "a");
        b = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            log.Add("b " + message);
            system.DeliverNow(context.Sender!, "pong", context.Self);
        })), "b");
        a.Tell("start");
        system.RunUntilIdle();

        Assert.Equal(["a begins start", "b ping", "a ends start", "a begins pong", "a ends pong"], log);
        Assert.Equal(1, system.DirectDeliveries);
    }

    [Fact]
    public void A_direct_delivery_to_a_stopped_actor_is_a_dead_letter_and_outside_events_it_is_queued()
    {
        // Proves the two fallbacks: a stopped target gets nothing (dead letter), and a call from outside
        // any event (test code, setup) queues the message instead of running it.
        var system = ActorSystem.Create("fallbacks");
        var log = new List<string>();
        var target = system.ActorOf(Props.Create(() => new Scripted((_, message) => log.Add("target " + message))), "target");
        system.DeliverNow(target, "from outside", null);
        Assert.Empty(log);
        system.RunUntilIdle();
        Assert.Equal(["target from outside"], log);

        system.Stop(target);
        var caller = system.ActorOf(Props.Create(() => new Scripted((context, _) => system.DeliverNow(target, "too late", context.Self))), "caller");
        caller.Tell("go");
        system.RunUntilIdle();
        Assert.Equal(["target from outside"], log);
        Assert.Equal(1, system.DeadLetterCount);
    }

    [Fact]
    public void A_failure_in_a_direct_delivery_names_the_target()
    {
        // Proves an exception thrown by the target's handler is reported as the target's failure.
        var system = ActorSystem.Create("failure");
        var fragile = system.ActorOf(Props.Create(() => new Fragile()), "fragile");
        var caller = system.ActorOf(Props.Create(() => new Scripted((context, _) => system.DeliverNow(fragile, "boom", context.Self))), "caller");
        caller.Tell("go");

        var failure = Assert.Throws<ActorFailureException>(() => system.RunUntilIdle());
        Assert.Contains("fragile", failure.Message, StringComparison.Ordinal);
    }
}
