namespace TcpActors.Endpoints;

/// <summary>
/// lib/win_minmax.c's struct minmax: the best, second best and third best samples of a window, each with the time
/// it was taken, so that when the best ages out the next best of the window takes its place rather than whatever
/// sample comes next. A sample at least as good as the best, or one a whole window after the third, restarts the
/// filter with that sample alone. BBR keeps its bandwidth with the running maximum (time in packet-timed rounds),
/// tcp_min_rtt the RTT with the running minimum (<see cref="MinRttFilter"/>, time in jiffies). Times and values wrap
/// as the kernel's u32.
/// </summary>
internal struct Minmax
{
    private Sample _best;
    private Sample _second;
    private Sample _third;

    /// <summary>minmax_get: the best sample's value.</summary>
    public readonly uint Value => _best.Value;

    /// <summary>minmax_reset: the filter holds only <paramref name="value"/>, taken at <paramref name="time"/>.</summary>
    public void Reset(uint time, uint value) => _best = _second = _third = new Sample(time, value);

    /// <summary>minmax_running_max: feeds <paramref name="value"/> taken at <paramref name="time"/>, the window <paramref name="window"/> long.</summary>
    public void RunningMax(uint window, uint time, uint value)
    {
        var sample = new Sample(time, value);
        if (value >= _best.Value || unchecked(time - _third.Time) > window)
        {
            Reset(time, value);
            return;
        }

        if (value >= _second.Value)
        {
            _second = _third = sample;
        }
        else if (value >= _third.Value)
        {
            _third = sample;
        }

        UpdateSubwindows(window, sample);
    }

    /// <summary>minmax_running_min: the same with the smallest value best.</summary>
    public void RunningMin(uint window, uint time, uint value)
    {
        var sample = new Sample(time, value);
        if (value <= _best.Value || unchecked(time - _third.Time) > window)
        {
            Reset(time, value);
            return;
        }

        if (value <= _second.Value)
        {
            _second = _third = sample;
        }
        else if (value <= _third.Value)
        {
            _third = sample;
        }

        UpdateSubwindows(window, sample);
    }

    /// <summary>minmax_subwin_update: ages the best out after a window, and refreshes the second and third after a quarter and a half of one.</summary>
    private void UpdateSubwindows(uint window, Sample sample)
    {
        uint age = unchecked(sample.Time - _best.Time);
        if (age > window)
        {
            _best = _second;
            _second = _third;
            _third = sample;
            if (unchecked(sample.Time - _best.Time) > window)
            {
                _best = _second;
                _second = _third;
                _third = sample;
            }
        }
        else if (_second.Time == _best.Time && age > window / 4)
        {
            _second = _third = sample;
        }
        else if (_third.Time == _second.Time && age > window / 2)
        {
            _third = sample;
        }
    }

    private readonly record struct Sample(uint Time, uint Value);
}
