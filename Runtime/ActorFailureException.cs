namespace TcpActors.Runtime;

/// <summary>
/// An actor threw: the run ends loudly with the actor's path, what it was handling and the virtual time.
/// There is no supervision or restart: in a simulator a thrown exception is a bug to look at, not a fault
/// to model.
/// </summary>
public sealed class ActorFailureException : Exception
{
    public ActorFailureException(string actorPath, string activity, SimTime time, Exception inner)
        : base($"Actor {actorPath} failed while handling {activity} at simulated time {time} s: {inner.GetType().Name}: {inner.Message}", inner)
    {
        ActorPath = actorPath;
        Activity = activity;
        Time = time;
    }

    public ActorFailureException()
        : this("?", "?", SimTime.Zero, new InvalidOperationException("unknown"))
    {
    }

    public ActorFailureException(string message)
        : base(message)
    {
        ActorPath = "?";
        Activity = "?";
    }

    public ActorFailureException(string message, Exception inner)
        : base(message, inner)
    {
        ActorPath = "?";
        Activity = "?";
    }

    /// <summary>The path of the actor that threw.</summary>
    public string ActorPath { get; }

    /// <summary>What it was doing: <c>message ProbeSegment</c>, <c>PreStart</c>, <c>construction</c>…</summary>
    public string Activity { get; }

    public SimTime Time { get; }
}
