using BenchmarkDotNet.Attributes;
using TcpActors.Runtime;

namespace TcpActors.Benchmarks;

/// <summary>
/// The actor runtime's hot paths: a message between two actors (ping-pong), a fan-out to many actors,
/// and keyed timers started and cancelled. Each benchmark reports per-operation time; messages per
/// second is 1e9 / (ns per message). Targets (DESIGN.md): 10 M messages/s, 5 M timer operations/s.
/// </summary>
[MemoryDiagnoser]
public class RuntimeBenchmarks
{
    private const int Messages = 1_000_000;
    private const int FanOutActors = 10_000;
    private const int TimerOperations = 1_000_000;

    [Benchmark(OperationsPerInvoke = Messages)]
    public long PingPong()
    {
        var system = ActorSystem.Create("bench");
        var pong = system.ActorOf(Props.Create(() => new Bouncer(null, 0)), "pong");
        var ping = system.ActorOf(Props.Create(() => new Bouncer(pong, Messages)), "ping");
        ping.Tell(Ball.Instance, pong);
        system.RunUntilIdle();
        return system.EventsProcessed;
    }

    [Benchmark(OperationsPerInvoke = FanOutActors * 100)]
    public long FanOut()
    {
        var system = ActorSystem.Create("bench");
        var sinks = new IActorRef[FanOutActors];
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i] = system.ActorOf(Props.Create(() => new Sink()));
        }

        for (int round = 0; round < 100; round++)
        {
            foreach (var sink in sinks)
            {
                sink.Tell(Ball.Instance);
            }

            system.RunUntilIdle();
        }

        return system.EventsProcessed;
    }

    [Benchmark(OperationsPerInvoke = TimerOperations * 2)]
    public long TimerStartAndCancel()
    {
        var system = ActorSystem.Create("bench");
        var actor = system.ActorOf(Props.Create(() => new TimerChurn(TimerOperations)));
        actor.Tell(Ball.Instance);
        system.RunUntilIdle();
        return system.EventsProcessed;
    }

    internal sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class Bouncer(IActorRef? peer, int limit) : UntypedActor
    {
        private int _count;

        protected override void OnReceive(object message)
        {
            if (peer is null)
            {
                Sender!.Tell(message, Self);
            }
            else if (++_count < limit / 2)
            {
                peer.Tell(message, Self);
            }
        }
    }

    private sealed class Sink : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }

    /// <summary>Restarts a retransmission-like timer and cancels it, as TCP does on every ACK.</summary>
    private sealed class TimerChurn(int operations) : UntypedActor, IWithTimers
    {
        private static readonly object s_key = new();

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void OnReceive(object message)
        {
            var delay = Duration.FromMilliseconds(200);
            for (int i = 0; i < operations; i++)
            {
                Timers.StartSingleTimer(s_key, Ball.Instance, delay);
                Timers.Cancel(s_key);
            }
        }
    }
}
