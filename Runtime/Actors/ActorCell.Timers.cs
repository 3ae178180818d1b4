namespace TcpActors.Runtime;

/// <summary>
/// The timers of one actor (the cell is its own <see cref="ITimerScheduler"/>, so a million sockets carry no
/// scheduler object each), as slots in a small array (TCP uses three or four keys): a slot is found by
/// a linear search, which at this size is cheaper than a dictionary and ordered by construction, and
/// slots are structs, so an actor's timers cost one array rather than an object per key (32 bytes a slot: a
/// periodic timer's interval is kept in the cell's extras). A queued
/// timer event names the cell, the slot and the slot's generation; cancelling or restarting bumps
/// the generation, which makes the queued event stale in O(1). A terminated cell gives its array to the
/// system's spares (<see cref="TimerSlotSpares"/>) for the next cell, and every event still queued for it is stale.
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

    bool ITimerScheduler.IsTimerActive(object key) => IsTimerActive(key);

    SimTime? ITimerScheduler.Deadline(object key) => TimerDeadline(key);

    void ITimerScheduler.Cancel(object key) => CancelTimer(key);

    internal bool IsTimerActive(object key) => FindTimer(key) is >= 0 and var index && _timerSlots[index].IsActive;

    internal SimTime? TimerDeadline(object key) =>
        FindTimer(key) is >= 0 and var index && _timerSlots[index].IsActive ? new SimTime(_timerSlots[index].DeadlineNanoseconds) : null;

    internal void CancelTimer(object key)
    {
        int index = FindTimer(key);
        if (index >= 0 && _timerSlots[index].IsActive)
        {
            Deactivate(ref _timerSlots[index]);
        }
    }

    internal void StartSingleTimer(object key, object message, Duration timeout) => StartTimer(key, message, timeout, 0);

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
    internal bool IsTimerStale(byte slot, int generation) => slot >= _timerCount || _timerSlots[slot].Generation != generation;

    /// <summary>After termination: every timer off, the array given to the system's spares (queued events for this cell are stale from now on).</summary>
    internal void ReleaseTimerSlots()
    {
        CancelAllTimers();
        if (_timerSlots.Length > 0)
        {
            System.TimerSpares.Give(_timerSlots, _timerCount);
            _timerSlots = [];
            _timerCount = 0;
        }
    }

    /// <summary>The slot's event surfaced with a matching generation: returns the message, re-arming a periodic timer.</summary>
    internal object TimerFired(byte slot)
    {
        ref var entry = ref _timerSlots[slot];
        long interval = IntervalOf(slot);
        if (interval == 0)
        {
            entry.IsActive = false;
        }
        else
        {
            entry.DeadlineNanoseconds += interval;
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
        SetInterval(index, interval);
        entry.IsActive = true;
        entry.DeadlineNanoseconds = SimTime.SaturatingAdd(System.Now.Nanoseconds, delay.Nanoseconds);
        System.ScheduleTimer(this, (byte)index, entry.Generation, entry.DeadlineNanoseconds);
    }

    /// <summary>A periodic timer's interval (0 for a single timer): kept beside the slots, in the cell's extras, as few actors have one.</summary>
    private long IntervalOf(int slot) => _extras?.TimerIntervals is { } intervals && slot < intervals.Length ? intervals[slot] : 0;

    private void SetInterval(int slot, long interval)
    {
        if (interval != 0)
        {
            var extras = _extras ??= new();
            if (extras.TimerIntervals is not { } intervals || slot >= intervals.Length)
            {
                Array.Resize(ref extras.TimerIntervals, Math.Max(slot + 1, _timerSlots.Length));
                intervals = extras.TimerIntervals;
            }

            intervals[slot] = interval;
        }
        else if (_extras?.TimerIntervals is { } intervals && slot < intervals.Length)
        {
            intervals[slot] = 0;
        }
    }

    private void Deactivate(ref TimerSlot entry)
    {
        entry.IsActive = false;
        entry.Generation++;
        System.TimerWentStale();
    }

    private int FindTimer(object key)
    {
        // Keys are usually shared instances (TCP's are static): look for the same object first, and only then for an
        // equal one (a key equal to a slot's is never added as another slot, so both passes find the same slot).
        var slots = _timerSlots;
        int count = _timerCount;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(slots[i].Key, key))
            {
                return i;
            }
        }

        for (int i = 0; i < count; i++)
        {
            if (slots[i].Key.Equals(key))
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
            var outgrown = _timerSlots;
            _timerSlots = System.TimerSpares.Take(Math.Min(MaxTimerSlots, Math.Max(2, outgrown.Length * 2)));
            Array.Copy(outgrown, _timerSlots, outgrown.Length);
            System.TimerSpares.Give(outgrown, outgrown.Length);
        }

        _timerSlots[_timerCount].Key = key;
        return _timerCount++;
    }

    /// <summary>
    /// Timer arrays given back by terminated cells (and the two-slot array a cell outgrows), for new cells: a
    /// connection's socket dies every lifecycle in a load run, and its slots would otherwise go to the collector each
    /// time. Arrays of two and four slots are kept (a cell starts with two, as most actors use one or two keys, and TCP's
    /// sockets grow to four); bounded; slots are made inactive and cleared of their keys and messages, their
    /// generations kept (no event can name a slot of the new owner with an old generation: events name their cell).
    /// </summary>
    internal sealed class TimerSlotSpares
    {
        private const int Capacity = 256;
        private readonly Spares<TimerSlot[]> _pairs = new(Capacity);
        private readonly Spares<TimerSlot[]> _fours = new(Capacity);

        /// <summary>An array of <paramref name="length"/> slots (2 or 4 from the spares, any other new).</summary>
        public TimerSlot[] Take(int length) =>
            SparesOf(length) is { } spares && spares.TryTake(out var slots) ? slots : new TimerSlot[length];

        public void Give(TimerSlot[] slots, int used)
        {
            if (SparesOf(slots.Length) is not { } spares || !spares.Give(slots))
            {
                return;
            }

            // Inactive and without key or message, as in a new array (an outgrown array's slots were copied while
            // active); only the generation stays.
            for (int i = 0; i < used; i++)
            {
                slots[i] = new TimerSlot { Generation = slots[i].Generation };
            }
        }

        private Spares<TimerSlot[]>? SparesOf(int length) => length switch
        {
            2 => _pairs,
            4 => _fours,
            _ => null,
        };
    }

    internal struct TimerSlot
    {
        public object Key;
        public object Message;
        public long DeadlineNanoseconds;
        public int Generation;
        public bool IsActive;
    }
}
