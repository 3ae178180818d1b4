namespace TcpActors.Runtime;

/// <summary>One keyed timer. Its generation changes whenever it is cancelled or restarted.</summary>
internal sealed class TimerEntry(object key)
{
    public object Key { get; } = key;

    public object Message { get; set; } = null!;

    public int Generation { get; set; }

    public bool IsActive { get; set; }

    /// <summary>Zero for a single timer, the period for a periodic one.</summary>
    public long IntervalNanoseconds { get; set; }

    public long DeadlineNanoseconds { get; set; }
}

/// <summary>
/// The timers of one actor. Actors have few timer keys (TCP uses three or four), so entries live in a
/// small array searched linearly: cheaper than a dictionary at this size and ordered by construction.
/// </summary>
internal sealed class TimerScheduler(ActorCell owner) : ITimerScheduler
{
    private TimerEntry[] _entries = [];
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

    public bool IsTimerActive(object key) => Find(key) is { IsActive: true };

    public SimTime? Deadline(object key) => Find(key) is { IsActive: true } entry ? new SimTime(entry.DeadlineNanoseconds) : null;

    public void Cancel(object key)
    {
        if (Find(key) is { IsActive: true } entry)
        {
            Deactivate(entry);
        }
    }

    public void CancelAll()
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].IsActive)
            {
                Deactivate(_entries[i]);
            }
        }
    }

    /// <summary>Called by the system when the event of <paramref name="entry"/> surfaces with a matching generation.</summary>
    internal void Fired(TimerEntry entry)
    {
        if (entry.IntervalNanoseconds == 0)
        {
            entry.IsActive = false;
            return;
        }

        entry.DeadlineNanoseconds += entry.IntervalNanoseconds;
        owner.System.ScheduleTimer(owner, entry);
    }

    private void Start(object key, object message, Duration delay, long interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        if (delay.Nanoseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a timer cannot fire in the past");
        }

        var entry = Find(key) ?? Add(key);
        if (entry.IsActive)
        {
            Deactivate(entry);
        }

        entry.Message = message;
        entry.IntervalNanoseconds = interval;
        entry.IsActive = true;
        entry.DeadlineNanoseconds = SimTime.SaturatingAdd(owner.System.Now.Nanoseconds, delay.Nanoseconds);
        owner.System.ScheduleTimer(owner, entry);
    }

    private void Deactivate(TimerEntry entry)
    {
        entry.IsActive = false;
        entry.Generation++;
        owner.System.TimerWentStale();
    }

    private TimerEntry? Find(object key)
    {
        for (int i = 0; i < _count; i++)
        {
            var candidate = _entries[i];
            if (ReferenceEquals(candidate.Key, key) || candidate.Key.Equals(key))
            {
                return candidate;
            }
        }

        return null;
    }

    private TimerEntry Add(object key)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(4, _entries.Length * 2));
        }

        var entry = new TimerEntry(key);
        _entries[_count++] = entry;
        return entry;
    }
}
