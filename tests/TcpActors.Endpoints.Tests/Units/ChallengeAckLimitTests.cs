using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The per-namespace challenge ACK budget of tcp_send_challenge_ack (net.ipv4.tcp_challenge_ack_limit).</summary>
public sealed class ChallengeAckLimitTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void The_default_int_max_is_no_limit()
    {
        // Proves the INT_MAX default (Linux 6.0+) lets every challenge through without drawing a count.
        var limit = new ChallengeAckLimit(new RandomStream(1));
        Assert.All(Enumerable.Range(0, 10_000), i => Assert.True(limit.TryTake(int.MaxValue, 5 * Second)));
    }

    [Fact]
    public void A_limit_of_one_allows_exactly_one_a_second_of_jiffies()
    {
        // Proves get_random_u32_inclusive(1, 1): one challenge ACK per second of jiffies / HZ, the count renewed
        // at the first challenge of each new second (62-limit1: one at 3.50, none at 3.52 and 3.54, one at 5.00).
        var limit = new ChallengeAckLimit(new RandomStream(1));
        Assert.True(limit.TryTake(1, (3 * Second) + (Second / 2)));
        Assert.False(limit.TryTake(1, (3 * Second) + (52 * Second / 100)));
        Assert.False(limit.TryTake(1, (3 * Second) + (99 * Second / 100)));
        Assert.True(limit.TryTake(1, 5 * Second));
        Assert.False(limit.TryTake(1, 5 * Second));
    }

    [Theory]
    [InlineData(2, 1, 2)]
    [InlineData(4, 2, 5)]
    [InlineData(8, 4, 11)]
    public void Each_second_s_count_is_drawn_from_half_the_limit_to_half_more_than_it(int sysctl, int low, int high)
    {
        // Proves the count's range [(limit + 1) / 2, limit + (limit + 1) / 2 − 1] over many seconds and seeds, and
        // that both ends are drawn.
        var seen = new SortedSet<int>();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var limit = new ChallengeAckLimit(new RandomStream(seed));
            for (long second = 1; second <= 200; second++)
            {
                int allowed = 0;
                while (limit.TryTake(sysctl, second * Second))
                {
                    allowed++;
                }

                seen.Add(allowed);
            }
        }

        Assert.Equal(low, seen.Min);
        Assert.Equal(high, seen.Max);
    }
}
