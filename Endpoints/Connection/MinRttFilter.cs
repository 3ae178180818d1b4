namespace TcpActors.Endpoints;

/// <summary>
/// tcp_min_rtt's windowed filter, as lib/minmax.c's minmax_running_min keeps it: the best, second best and
/// third best RTT samples in µs, each with the jiffy it was taken, chosen so that when the minimum grows older
/// than the window (net.ipv4.tcp_min_rtt_wlen, 300 s) the next best of the window takes its place rather than
/// whatever sample comes next. A sample no larger than the minimum, or one arriving a whole window after the
/// third, restarts the filter with that sample alone.
/// </summary>
internal struct MinRttFilter
{
    private Minmax _filter;

    /// <summary>Whether any sample was taken (Linux starts the filter at ~0U, "no minimum").</summary>
    public readonly bool HasSample => _filter.Value != 0;

    /// <summary>The minimum in µs (uint.MaxValue before any sample).</summary>
    public readonly uint Micros => HasSample ? _filter.Value : uint.MaxValue;

    /// <summary>minmax_running_min: feeds <paramref name="micros"/> (at least 1) taken at jiffy <paramref name="jiffy"/>, the window <paramref name="windowJiffies"/> long.</summary>
    public void Add(uint micros, uint jiffy, uint windowJiffies)
    {
        uint value = Math.Max(1u, micros);
        if (HasSample)
        {
            _filter.RunningMin(windowJiffies, jiffy, value);
        }
        else
        {
            _filter.Reset(jiffy, value);
        }
    }
}
