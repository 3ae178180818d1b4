using TcpActors.Runtime.TestKit;

namespace TcpActors.Runtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public void Paths_are_hierarchical_and_auto_names_are_unique()
    {
        // Proves the path scheme /user/parent/child and $-numbered names for unnamed children.
        var system = ActorSystem.Create("paths");
        IActorRef? childA = null;
        IActorRef? childB = null;
        var parent = system.ActorOf(Props.Create(() => new Scripted((context, _) =>
        {
            childA = context.ActorOf(Props.Create(() => new Echo()), "tcp");
            childB = context.ActorOf(Props.Create(() => new Echo()));
        })), "host-a");
        parent.Tell("create");
        system.RunUntilIdle();

        Assert.Equal("/user/host-a", parent.Path.ToString());
        Assert.Equal("/user/host-a/tcp", childA!.Path.ToString());
        Assert.Equal("/user/host-a/$1", childB!.Path.ToString());
    }

    [Fact]
    public void Duplicate_and_invalid_names_are_rejected()
    {
        // Proves names are unique among siblings and cannot contain '/' or start with '$'.
        var system = ActorSystem.Create("names");
        system.ActorOf(Props.Create(() => new Echo()), "same");
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create(() => new Echo()), "same"));
        Assert.Throws<ArgumentException>(() => system.ActorOf(Props.Create(() => new Echo()), "a/b"));
        Assert.Throws<ArgumentException>(() => system.ActorOf(Props.Create(() => new Echo()), "$x"));
    }

    [Fact]
    public void Creating_an_actor_with_new_is_refused_with_a_helpful_message()
    {
        // Proves actors can only be created through Props, and the error says how.
        var error = Assert.Throws<InvalidOperationException>(() => new Echo());
        Assert.Contains("ActorOf(Props.Create", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stopping_a_parent_stops_children_first_and_watchers_get_terminated()
    {
        // Proves stop order (children before parent, PostStop for each) and death watch.
        var system = ActorSystem.Create("stop");
        var log = new List<string>();
        var probe = new TestProbe(system);
        var parent = system.ActorOf(Props.Create(() => new Parent(log)), "parent");
        parent.Tell("spawn");
        system.RunUntilIdle();
        probe.Watch(parent);
        system.Stop(parent);

        probe.ExpectTerminated(parent);
        Assert.Equal(["stop:child-1", "stop:child-2", "stop:parent"], log);
        Assert.True(ActorSystem.IsTerminated(parent));
    }

    [Fact]
    public void Messages_to_a_stopped_actor_become_dead_letters()
    {
        // Proves dead letters are counted and published with their recipient.
        var system = ActorSystem.Create("dead");
        var letters = new List<DeadLetter>();
        system.EventStream.Subscribe<DeadLetter>(letters.Add);
        var echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        system.Stop(echo);
        echo.Tell("hello?");
        system.RunUntilIdle();

        Assert.Equal(1, system.DeadLetterCount);
        Assert.Equal("hello?", Assert.Single(letters).Message);
    }

    [Fact]
    public void Stop_inside_a_handler_completes_after_the_handler_returns()
    {
        // Proves Context.Stop(Self) lets the current handler finish, then later messages are dead letters.
        var system = ActorSystem.Create("selfstop");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            context.Stop(context.Self);
            probe.Tell("handled:" + message);
        })));
        actor.Tell("first");
        actor.Tell("second");

        Assert.Equal("handled:first", probe.ExpectMsg<string>());
        probe.ExpectNoMsg(Duration.FromSeconds(1));
        Assert.Equal(1, system.DeadLetterCount);
    }

    [Fact]
    public void PoisonPill_stops_after_the_messages_queued_before_it()
    {
        // Proves PoisonPill is an ordinary message in the queue, as in Akka.
        var system = ActorSystem.Create("pill");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create(() => new Echo()));
        probe.Send(echo, "before");
        echo.Tell(PoisonPill.Instance);
        probe.Send(echo, "after");

        Assert.Equal("echo:before", probe.ExpectMsg<string>());
        probe.ExpectNoMsg(Duration.FromSeconds(1));
        Assert.True(ActorSystem.IsTerminated(echo));
    }

    [Fact]
    public void Become_and_unbecome_switch_behaviours()
    {
        // Proves Become replaces the behaviour and BecomeStacked/UnbecomeStacked push and pop.
        var system = ActorSystem.Create("become");
        var probe = new TestProbe(system);
        var actor = system.ActorOf(Props.Create(() => new Moody(probe)));
        foreach (var message in new[] { "who", "angry", "who", "calm", "who", "happy", "who", "back", "who" })
        {
            actor.Tell(message);
        }

        Assert.Equal(["neutral", "angry", "calm", "happy", "calm"], Enumerable.Range(0, 5).Select(_ => probe.ExpectMsg<string>()).ToArray());
    }

    [Fact]
    public void Watching_an_already_stopped_actor_delivers_terminated_at_once()
    {
        // Proves Watch on a dead actor still produces Terminated (no lost notifications).
        var system = ActorSystem.Create("latewatch");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create(() => new Echo()));
        system.Stop(echo);
        probe.Watch(echo);
        probe.ExpectTerminated(echo);
    }

    [Fact]
    public void Children_are_listed_in_creation_order()
    {
        // Proves Context.Children is ordered (no unordered iteration anywhere in the runtime).
        var system = ActorSystem.Create("children");
        var names = new List<string>();
        var parent = system.ActorOf(Props.Create(() => new Scripted((context, message) =>
        {
            if (message is "spawn")
            {
                foreach (var name in new[] { "c", "a", "b" })
                {
                    context.ActorOf(Props.Create(() => new Echo()), name);
                }
            }
            else
            {
                names.AddRange(context.Children.Select(child => child.Path.Name));
            }
        })));
        parent.Tell("spawn");
        parent.Tell("list");
        system.RunUntilIdle();
        Assert.Equal(["c", "a", "b"], names);
    }

    private sealed class Parent(List<string> log) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            Context.ActorOf(Props.Create(() => new Child(log)), "child-1");
            Context.ActorOf(Props.Create(() => new Child(log)), "child-2");
        }

        protected override void PostStop() => log.Add("stop:parent");
    }

    private sealed class Child(List<string> log) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }

        protected override void PostStop() => log.Add("stop:" + Self.Path.Name);
    }

    private sealed class Moody : ReceiveActor
    {
        public Moody(IActorRef probe)
        {
            Receive<string>(m => probe.Tell("neutral"), m => m == "who");
            Receive<string>(m => Become(() =>
            {
                Receive<string>(_ => probe.Tell("angry"), x => x == "who");
                Receive<string>(_ => Become(() =>
                {
                    Receive<string>(_ => probe.Tell("calm"), x => x == "who");
                    Receive<string>(_ => BecomeStacked(() =>
                    {
                        Receive<string>(_ => probe.Tell("happy"), x => x == "who");
                        Receive<string>(_ => UnbecomeStacked(), x => x == "back");
                    }), x => x == "happy");
                }), x => x == "calm");
            }), m => m == "angry");
        }
    }
}
