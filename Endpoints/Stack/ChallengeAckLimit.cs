using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// The per-namespace half of tcp_send_challenge_ack (Linux 6.x): unless net.ipv4.tcp_challenge_ack_limit is
/// INT_MAX (the default), each second of jiffies / HZ the namespace may send a count of challenge ACKs drawn
/// uniformly from [half, limit + half − 1], half = (limit + 1) / 2, so exactly one a second for a limit of 1. The
/// per-socket tcp_invalid_ratelimit is checked first, by the socket.
/// </summary>
internal sealed class ChallengeAckLimit(RandomStream random)
{
    private long _second = -1;
    private uint _count;

    /// <summary>Whether the namespace may send one more challenge ACK now (and counts it if so).</summary>
    public bool TryTake(int limit, long nowNanoseconds)
    {
        if (limit == int.MaxValue)
        {
            return true;
        }

        // jiffies / HZ: the simulator's jiffies count from the run's start (the kernel's seconds have another phase).
        long second = Jiffies.At(nowNanoseconds) / Jiffies.Hz;
        if (second != _second)
        {
            uint half = (uint)(((long)limit + 1) >> 1);
            uint span = (uint)limit; // get_random_u32_inclusive(half, limit + half - 1): limit values
            _second = second;
            _count = span == 0 ? random.NextUInt32() : half + (uint)random.NextUInt64(span);
        }

        if (_count == 0)
        {
            return false;
        }

        _count--;
        return true;
    }
}
