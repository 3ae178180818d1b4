namespace TcpActors.Runtime;

internal enum EventKind : byte
{
    /// <summary>An ordinary message for the target's behaviour.</summary>
    Message,

    /// <summary>A timer firing; stale (cancelled or restarted) when the generation no longer matches.</summary>
    Timer,
}

/// <summary>
/// One entry of the event queue: a delivery at (Time, Sequence). Held by value in the queue's arrays so
/// that sending a message allocates nothing beyond the message itself.
/// </summary>
internal struct ScheduledEvent
{
    public long Time;
    public long Sequence;
    public ActorCell Target;
    public object Message;
    public ActorCell? Sender;
    public int Generation;
    public EventKind Kind;
    public byte TimerSlot;

    /// <summary>For a timer: its target cell says whether the slot moved on since this event was queued.</summary>
    public readonly bool IsStale => Kind == EventKind.Timer && Target.IsTimerStale(TimerSlot, Generation);

    public readonly bool Precedes(in ScheduledEvent other) =>
        Time < other.Time || (Time == other.Time && Sequence < other.Sequence);
}
