using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// The host-wide limit on the ICMP errors it sends (icmp_global_allow and icmp_global_consume in net/ipv4/icmp.c,
/// per network namespace since 6.12): a credit of net.ipv4.icmp_msgs_burst (50) messages, refilled at
/// net.ipv4.icmp_msgs_per_sec (1000) — but only once at least HZ/50 (20 ms) has passed since the last refill, and
/// by at most a second's worth. An error may leave while the credit is above zero, or when a refill happens; each
/// error that also passed the per-destination limit then consumes a random 0, 1 or 2 credits
/// (get_random_u32_below(3)), so a burst gets about fifty errors, not exactly fifty, and the credit may go below
/// zero. The randomness comes from the host's seeded stream.
/// </summary>
internal sealed class IcmpGlobalLimit
{
    /// <summary>HZ = 250, as on the kernel the experiments ran on: a jiffy is 4 ms.</summary>
    private const long JiffyNanoseconds = 4_000_000;

    private const long Hz = 250;

    /// <summary>net->ipv4.icmp_global_credit: zero at first, like a new namespace's.</summary>
    private long _credit;

    /// <summary>net->ipv4.icmp_global_stamp in jiffies: a second back at first, so the first error refills the whole burst.</summary>
    private long _stamp = -Hz;

    /// <summary>ICMP_MIB_RATELIMITGLOBAL: errors not sent for want of global credit.</summary>
    public long Refused { get; private set; }

    /// <summary>icmp_global_allow: whether an error may leave now (refilling the credit if it is spent and time allows).</summary>
    public bool Allow(long nowNanoseconds, Sysctls sysctls)
    {
        if (_credit > 0)
        {
            return true;
        }

        long now = nowNanoseconds / JiffyNanoseconds;
        long delta = Math.Min(now - _stamp, Hz);
        long increment = delta < Hz / 50 ? 0 : sysctls.IcmpMsgsPerSec * delta / Hz;
        if (increment == 0)
        {
            Refused++;
            return false;
        }

        _stamp = now;
        _credit = Math.Min(_credit + increment, sysctls.IcmpMsgsBurst);
        return true;
    }

    /// <summary>icmp_global_consume: an error left; 0, 1 or 2 credits go (the credit may turn negative).</summary>
    public void Consume(RandomStream random) => _credit -= random.NextInt32(3);
}
