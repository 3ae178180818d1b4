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
    private Sample _best;
    private Sample _second;
    private Sample _third;

    /// <summary>Whether any sample was taken (Linux starts the filter at ~0U, "no minimum").</summary>
    public readonly bool HasSample => _best.Micros != 0;

    /// <summary>The minimum in µs (uint.MaxValue before any sample).</summary>
    public readonly uint Micros => HasSample ? _best.Micros : uint.MaxValue;

    /// <summary>minmax_running_min: feeds <paramref name="micros"/> (at least 1) taken at jiffy <paramref name="jiffy"/>, the window <paramref name="windowJiffies"/> long.</summary>
    public void Add(uint micros, uint jiffy, uint windowJiffies)
    {
        var sample = new Sample(jiffy, Math.Max(1u, micros));
        if (!HasSample || sample.Micros <= _best.Micros || unchecked(sample.Jiffy - _third.Jiffy) > windowJiffies)
        {
            _best = _second = _third = sample;
            return;
        }

        if (sample.Micros <= _second.Micros)
        {
            _second = _third = sample;
        }
        else if (sample.Micros <= _third.Micros)
        {
            _third = sample;
        }

        UpdateSubwindows(sample, windowJiffies);
    }

    /// <summary>minmax_subwin_update: ages the best out after a window, and refreshes the second and third after a quarter and a half of one.</summary>
    private void UpdateSubwindows(Sample sample, uint windowJiffies)
    {
        uint age = unchecked(sample.Jiffy - _best.Jiffy);
        if (age > windowJiffies)
        {
            _best = _second;
            _second = _third;
            _third = sample;
            if (unchecked(sample.Jiffy - _best.Jiffy) > windowJiffies)
            {
                _best = _second;
                _second = _third;
                _third = sample;
            }
        }
        else if (_second.Jiffy == _best.Jiffy && age > windowJiffies / 4)
        {
            _second = _third = sample;
        }
        else if (_third.Jiffy == _second.Jiffy && age > windowJiffies / 2)
        {
            _third = sample;
        }
    }

    private readonly record struct Sample(uint Jiffy, uint Micros);
}
