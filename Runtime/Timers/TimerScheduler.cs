namespace TcpActors.Runtime;

/// <summary>
/// The timers of one actor, as slots in a small array (TCP uses three or four keys): a slot is found by
/// a linear search, which at this size is cheaper than a dictionary and ordered by construction, and
/// slots are structs, so an actor's timers cost one array rather than an object per key. A queued
/// timer event names the scheduler, the slot and the slot's generation; cancelling or restarting bumps
/// the generation, which makes the queued event stale in O(1).
/// </summary>
internal sealed class TimerScheduler(ActorCell owner) : ITimerScheduler
{
    private const int MaxSlots = 255;
    private Slot[] _slots = [];
    private int _count;

    public void StartSingleTimer(object key, object message, Duration timeout) => Start(key, message, timeout, 0);

    public void StartPeriodicTimer(object key, object message, Duration interval) => StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, Duration initialDelay, Duration interval)
    {
        if (interval.Nanoseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "a periodic timer needs a positive interval");
        }

        Start(key, message, initialDelay, interval.Nanoseconds);
    }

    public bool IsTimerActive(object key) => Find(key) is >= 0 and var index && _slots[index].IsActive;

    public SimTime? Deadline(object key) =>
        Find(key) is >= 0 and var index && _slots[index].IsActive ? new SimTime(_slots[index].DeadlineNanoseconds) : null;

    public void Cancel(object key)
    {
        int index = Find(key);
        if (index >= 0 && _slots[index].IsActive)
        {
            Deactivate(ref _slots[index]);
        }
    }

    public void CancelAll()
    {
        for (int i = 0; i < _count; i++)
        {
            if (_slots[i].IsActive)
            {
                Deactivate(ref _slots[i]);
            }
        }
    }

    /// <summary>Whether the queued event for <paramref name="slot"/> with <paramref name="generation"/> was cancelled or replaced.</summary>
    internal bool IsStale(byte slot, int generation) => _slots[slot].Generation != generation;

    /// <summary>The slot's event surfaced with a matching generation: returns the message, re-arming a periodic timer.</summary>
    internal object Fired(byte slot)
    {
        ref var entry = ref _slots[slot];
        if (entry.IntervalNanoseconds == 0)
        {
            entry.IsActive = false;
        }
        else
        {
            entry.DeadlineNanoseconds += entry.IntervalNanoseconds;
            owner.System.ScheduleTimer(owner, this, slot, entry.Generation, entry.DeadlineNanoseconds);
        }

        return entry.Message;
    }

    private void Start(object key, object message, Duration delay, long interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        if (delay.Nanoseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a timer cannot fire in the past");
        }

        int index = Find(key);
        if (index < 0)
        {
            index = Add(key);
        }

        ref var entry = ref _slots[index];
        if (entry.IsActive)
        {
            Deactivate(ref entry);
        }

        entry.Message = message;
        entry.IntervalNanoseconds = interval;
        entry.IsActive = true;
        entry.DeadlineNanoseconds = SimTime.SaturatingAdd(owner.System.Now.Nanoseconds, delay.Nanoseconds);
        owner.System.ScheduleTimer(owner, this, (byte)index, entry.Generation, entry.DeadlineNanoseconds);
    }

    private void Deactivate(ref Slot entry)
    {
        entry.IsActive = false;
        entry.Generation++;
        owner.System.TimerWentStale();
    }

    private int Find(object key)
    {
        for (int i = 0; i < _count; i++)
        {
            var candidate = _slots[i].Key;
            if (ReferenceEquals(candidate, key) || candidate.Equals(key))
            {
                return i;
            }
        }

        return -1;
    }

    private int Add(object key)
    {
        if (_count == MaxSlots)
        {
            throw new InvalidOperationException($"{owner.Path} uses more than {MaxSlots} timer keys");
        }

        if (_count == _slots.Length)
        {
            Array.Resize(ref _slots, Math.Min(MaxSlots, Math.Max(2, _slots.Length * 2)));
        }

        _slots[_count].Key = key;
        return _count++;
    }

    private struct Slot
    {
        public object Key;
        public object Message;
        public long IntervalNanoseconds;
        public long DeadlineNanoseconds;
        public int Generation;
        public bool IsActive;
    }
}
