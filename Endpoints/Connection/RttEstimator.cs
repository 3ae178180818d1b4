namespace TcpActors.Endpoints;

/// <summary>
/// Round-trip estimation and the retransmission timeout, as Linux's tcp_rtt_estimator and __tcp_set_rto
/// do it (RFC 6298 with Linux's variations): srtt and mdev in microseconds, rttvar never below rto_min,
/// RTO = srtt + rttvar rounded up to jiffies and capped at 120 s. Before the first sample the RTO is
/// 1 s (RFC 6298 (2.1)).
/// </summary>
internal struct RttEstimator
{
    private long _srttMicros8;   // srtt, scaled by 8 as Linux keeps it
    private long _mdevMicros4;   // mdev, scaled by 4
    private long _mdevMaxMicros;
    private long _rttvarMicros;
    private uint _rttSeq;
    private MinRttFilter _minRtt; // tp->rtt_min

    /// <summary>net.ipv4.tcp_min_rtt_wlen (300 s) in jiffies: how long a minimum RTT sample stays valid.</summary>
    public const uint MinRttWindowJiffies = 300 * Jiffies.Hz;

    public readonly bool HasSample => _srttMicros8 != 0;

    /// <summary>
    /// tcp_min_rtt in nanoseconds, whole microseconds as Linux keeps it (long.MaxValue before any sample, as
    /// Linux's ~0U): the smallest RTT of the last tcp_min_rtt_wlen, from the three-sample windowed filter.
    /// </summary>
    public readonly long MinRtt => _minRtt.HasSample ? _minRtt.Micros * 1000L : long.MaxValue;

    /// <summary>
    /// tcp_update_rtt_min: feeds the minimum-RTT filter at jiffy now / 4 ms. A sample of 0 µs counts as 1 µs
    /// (Linux substitutes one jiffy, 4000 µs, but its RTTs are never 0 on a real path; the simulator's links
    /// may have no delay at all).
    /// </summary>
    public void SampleMinRtt(long rttNanoseconds, long now)
    {
        uint micros = (uint)Math.Clamp(rttNanoseconds / 1000, 1, uint.MaxValue - 1);
        _minRtt.Add(micros, unchecked((uint)(now / Jiffies.Nanoseconds)), MinRttWindowJiffies);
    }

    /// <summary>tp->srtt_us: the smoothed RTT in microseconds, times 8 (0 before any sample).</summary>
    public readonly long SmoothedMicros8 => _srttMicros8;

    /// <summary>tp->mdev_us: the mean deviation in microseconds, times 4 (tcp_info's rttvar is this >> 2).</summary>
    public readonly long MdevMicros4 => _mdevMicros4;

    /// <summary>Smoothed RTT in nanoseconds (0 before any sample).</summary>
    public readonly long SmoothedNanoseconds => _srttMicros8 / 8 * 1000;

    /// <summary>The RTO before backoff, in nanoseconds, already rounded to jiffies.</summary>
    public readonly long RtoNanoseconds
    {
        get
        {
            if (!HasSample)
            {
                return Jiffies.TimeoutInit;
            }

            long micros = (_srttMicros8 >> 3) + _rttvarMicros;
            return Math.Min(Jiffies.RoundUp(micros * 1000), Jiffies.RtoMax);
        }
    }

    /// <summary>Feeds one RTT sample (tcp_rtt_estimator); <paramref name="sndUna"/>/<paramref name="sndNxt"/> pace the rttvar decay once per RTT.</summary>
    public void Sample(long rttNanoseconds, uint sndUna, uint sndNxt)
    {
        long m = Math.Max(1, rttNanoseconds / 1000);
        long rtoMinMicros = Jiffies.RtoMin / 1000;
        if (_srttMicros8 != 0)
        {
            m -= _srttMicros8 >> 3;
            _srttMicros8 += m;
            if (m < 0)
            {
                m = -m;
                m -= _mdevMicros4 >> 2;
                if (m > 0)
                {
                    m >>= 3;
                }
            }
            else
            {
                m -= _mdevMicros4 >> 2;
            }

            _mdevMicros4 += m;
            if (_mdevMicros4 > _mdevMaxMicros)
            {
                _mdevMaxMicros = _mdevMicros4;
                if (_mdevMaxMicros > _rttvarMicros)
                {
                    _rttvarMicros = _mdevMaxMicros;
                }
            }

            if (unchecked((int)(sndUna - _rttSeq)) > 0)
            {
                if (_mdevMaxMicros < _rttvarMicros)
                {
                    _rttvarMicros -= (_rttvarMicros - _mdevMaxMicros) >> 2;
                }

                _rttSeq = sndNxt;
                _mdevMaxMicros = rtoMinMicros;
            }
        }
        else
        {
            _srttMicros8 = m << 3;
            _mdevMicros4 = m << 1;
            _rttvarMicros = Math.Max(_mdevMicros4, rtoMinMicros);
            _mdevMaxMicros = _rttvarMicros;
            _rttSeq = sndNxt;
        }

        _srttMicros8 = Math.Max(1, _srttMicros8);
    }
}
