namespace TcpActors.Endpoints.Tests.Units;

public sealed class MinRttFilterTests
{
    private const uint Window = 300 * 250; // tcp_min_rtt_wlen 300 s in 4 ms jiffies

    private static uint At(int seconds) => (uint)(seconds * 250);

    [Fact]
    public void The_minimum_is_the_smallest_sample_and_none_before_the_first()
    {
        var filter = default(MinRttFilter);
        Assert.False(filter.HasSample);
        Assert.Equal(uint.MaxValue, filter.Micros);
        filter.Add(500, At(0), Window);
        filter.Add(700, At(1), Window);
        Assert.Equal(500u, filter.Micros);
        filter.Add(300, At(2), Window);
        Assert.Equal(300u, filter.Micros);
    }

    [Fact]
    public void An_expiring_minimum_falls_back_to_the_best_later_sample_of_the_window()
    {
        // minmax_subwin_update: 10 µs at 0 s; 20 µs at 100 s (a quarter window on, so it becomes the second
        // best); 30 µs at 200 s (half a window on: the third); at 301 s the 10 µs sample is older than the
        // window and 20 µs, not the new 40 µs sample, is the minimum. A filter that only remembered the
        // minimum would report 40.
        var filter = default(MinRttFilter);
        filter.Add(10, At(0), Window);
        filter.Add(20, At(100), Window);
        filter.Add(30, At(200), Window);
        Assert.Equal(10u, filter.Micros);
        filter.Add(40, At(301), Window);
        Assert.Equal(20u, filter.Micros);
        filter.Add(50, At(402), Window);
        Assert.Equal(30u, filter.Micros);
    }

    [Fact]
    public void A_sample_a_whole_window_after_the_third_best_restarts_the_filter()
    {
        var filter = default(MinRttFilter);
        filter.Add(10, At(0), Window);
        filter.Add(90, At(301), Window);
        Assert.Equal(90u, filter.Micros);
        filter.Add(95, At(302), Window);
        Assert.Equal(90u, filter.Micros);
    }

    [Fact]
    public void A_zero_sample_counts_as_one_microsecond()
    {
        var filter = default(MinRttFilter);
        filter.Add(0, At(0), Window);
        Assert.True(filter.HasSample);
        Assert.Equal(1u, filter.Micros);
    }
}
