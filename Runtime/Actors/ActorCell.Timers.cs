namespace TcpActors.Runtime;

/// <summary>
/// The timers of one actor (the cell is its own <see cref="ITimerScheduler"/>, so a million sockets carry no
/// scheduler object each), as slots in a small array (TCP uses three or four keys): a slot is found by
/// a linear search, which at this size is cheaper than a dictionary and ordered by construction, and
/// slots are structs, so an actor's timers cost one array rather than an object per key. A queued
/// timer event names the cell, the slot and the slot's generation; cancelling or restarting bumps
/// the generation, which makes the queued event stale in O(1).
/// </summary>
internal sealed partial class ActorCell : ITimerScheduler
{
    private const int MaxTimerSlots = 255;
    private TimerSlot[] _timerSlots = [];
    private byte _timerCount;

    void ITimerScheduler.StartSingleTimer(object key, object message, Duration timeout) => StartTimer(key, message, timeout, 0);

    void ITimerScheduler.StartPeriodicTimer(object key, object message, Duration interval) => ((ITimerScheduler)this).StartPeriodicTimer(key, message, interval, interval);

    void ITimerScheduler.StartPeriodicTimer(object key, object message, Duration initialDelay, Duration interval)
    {
        if (interval.Nanoseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "a periodic timer needs a positive interval");
        }

        StartTimer(key, message, initialDelay, interval.Nanoseconds);
    }

    bool ITimerScheduler.IsTimerActive(object key) => FindTimer(key) is >= 0 and var index && _timerSlots[index].IsActive;

    SimTime? ITimerScheduler.Deadline(object key) =>
        FindTimer(key) is >= 0 and var index && _timerSlots[index].IsActive ? new SimTime(_timerSlots[index].DeadlineNanoseconds) : null;

    void ITimerScheduler.Cancel(object key)
    {
        int index = FindTimer(key);
        if (index >= 0 && _timerSlots[index].IsActive)
        {
            Deactivate(ref _timerSlots[index]);
        }
    }

    void ITimerScheduler.CancelAll() => CancelAllTimers();

    internal void CancelAllTimers()
    {
        for (int i = 0; i < _timerCount; i++)
        {
            if (_timerSlots[i].IsActive)
            {
                Deactivate(ref _timerSlots[i]);
            }
        }
    }

    /// <summary>Whether the queued event for <paramref name="slot"/> with <paramref name="generation"/> was cancelled or replaced.</summary>
    internal bool IsTimerStale(byte slot, int generation) => _timerSlots[slot].Generation != generation;

    /// <summary>The slot's event surfaced with a matching generation: returns the message, re-arming a periodic timer.</summary>
    internal object TimerFired(byte slot)
    {
        ref var entry = ref _timerSlots[slot];
        if (entry.IntervalNanoseconds == 0)
        {
            entry.IsActive = false;
        }
        else
        {
            entry.DeadlineNanoseconds += entry.IntervalNanoseconds;
            System.ScheduleTimer(this, slot, entry.Generation, entry.DeadlineNanoseconds);
        }

        return entry.Message;
    }

    private void StartTimer(object key, object message, Duration delay, long interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        if (delay.Nanoseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a timer cannot fire in the past");
        }

        int index = FindTimer(key);
        if (index < 0)
        {
            index = AddTimer(key);
        }

        ref var entry = ref _timerSlots[index];
        if (entry.IsActive)
        {
            Deactivate(ref entry);
        }

        entry.Message = message;
        entry.IntervalNanoseconds = interval;
        entry.IsActive = true;
        entry.DeadlineNanoseconds = SimTime.SaturatingAdd(System.Now.Nanoseconds, delay.Nanoseconds);
        System.ScheduleTimer(this, (byte)index, entry.Generation, entry.DeadlineNanoseconds);
    }

    private void Deactivate(ref TimerSlot entry)
    {
        entry.IsActive = false;
        entry.Generation++;
        System.TimerWentStale();
    }

    private int FindTimer(object key)
    {
        for (int i = 0; i < _timerCount; i++)
        {
            var candidate = _timerSlots[i].Key;
            if (ReferenceEquals(candidate, key) || candidate.Equals(key))
            {
                return i;
            }
        }

        return -1;
    }

    private int AddTimer(object key)
    {
        if (_timerCount == MaxTimerSlots)
        {
            throw new InvalidOperationException($"{Path} uses more than {MaxTimerSlots} timer keys");
        }

        if (_timerCount == _timerSlots.Length)
        {
            Array.Resize(ref _timerSlots, Math.Min(MaxTimerSlots, Math.Max(2, _timerSlots.Length * 2)));
        }

        _timerSlots[_timerCount].Key = key;
        return _timerCount++;
    }

    private struct TimerSlot
    {
        public object Key;
        public object Message;
        public long IntervalNanoseconds;
        public long DeadlineNanoseconds;
        public int Generation;
        public bool IsActive;
    }
}
