namespace TcpActors.Endpoints.Tests.Units;

/// <summary>tcp_cubic.c's integer arithmetic: cubic_root and bictcp_update, checked against values worked out by hand.</summary>
public sealed class CubicArithmeticTests
{
    [Theory]
    [InlineData(0UL, 0U)]
    [InlineData(1UL, 1U)]
    [InlineData(8UL, 2U)]
    [InlineData(27UL, 3U)]
    [InlineData(63UL, 4U)]
    public void Small_values_come_from_the_table(ulong a, uint root) =>
        Assert.Equal(root, CubicRoot.Of(a));

    [Theory]
    // cube_factor × 10 = 26817356770: fls64 35, b = (35 × 84 >> 8) − 1 = 10, v[a >> 30 = 24] = 181, x = 191 << 10 >> 6
    // = 3056; Newton: (2 × 3056 + a / (3056 × 3055) = 2872) × 341 >> 10 = 2991 (the real root is 2993.2).
    [InlineData(26817356770UL, 2991U)]
    // cube_factor × 30: fls64 37, b = 11, v[9] = 129, x = 139 << 11 >> 6 = 4448; (8896 + 4067) × 341 >> 10 = 4316 (real 4316.97).
    [InlineData(80452070310UL, 4316U)]
    public void Larger_values_take_one_newton_step_from_the_table(ulong a, uint root) =>
        Assert.Equal(root, CubicRoot.Of(a));

    [Fact]
    public void The_root_is_within_a_percent_and_a_unit_of_the_real_cube_root()
    {
        // Every a from 1 to 2^44 on a geometric grid (and its neighbours): the table and one Newton step stay within
        // 1 % (or 1 for tiny roots) of cbrt(a), as the kernel's comment promises (about 0.2 % on average).
        for (double a = 1; a < 1L << 44; a *= 1.013)
        {
            foreach (ulong value in (ulong[])[(ulong)a, (ulong)a + 1, (ulong)(a * 7.3)])
            {
                double exact = Math.Cbrt(value);
                uint root = CubicRoot.Of(value);
                Assert.True(Math.Abs(root - exact) <= Math.Max(1.0, exact * 0.01), $"cubic_root({value}) = {root}, cbrt = {exact:F3}");
            }
        }
    }

    [Fact]
    public void The_constants_are_the_modules()
    {
        // cubictcp_register: beta_scale = 8 × 1741 / 3 / 307 = 15; cube_rtt_scale = 410; cube_factor = 2^40 / 410.
        Assert.Equal(15U, CubicState.FriendlyScale);
        Assert.Equal(410UL, CubicState.CubeRttScale);
        Assert.Equal(2681735677UL, CubicState.CubeFactor);
    }

    [Fact]
    public void A_new_epoch_below_the_last_maximum_grows_toward_it_along_the_cubic_curve()
    {
        // W_max 100, cwnd 70, delay_min 50 ms, the first ACK of the epoch at jiffy 1000: K = cubic_root(cube_factor ×
        // 30) = 4316 (4.2 s); t = (0 + usecs_to_jiffies(50000) = 13) × 1024 / 250 = 53; offs = 4263;
        // delta = 410 × 4263³ >> 40 = 28; target = 100 − 28 = 72; cnt = 70 / (72 − 70) = 35.
        var ca = FirstAckOfAnEpoch();
        Assert.Equal(1000U, ca.EpochStart);
        Assert.Equal(4316U, ca.BicK);
        Assert.Equal(100U, ca.BicOriginPoint);
        Assert.Equal(70U, ca.TcpCwnd);
        Assert.Equal(35U, ca.Cnt);
    }

    [Fact]
    public void Within_hz_over_32_with_the_window_unchanged_only_acks_are_counted()
    {
        // Five jiffies later (HZ / 32 = 7) with cwnd still 70: ack_cnt grows, cnt stays.
        var ca = FirstAckOfAnEpoch();
        ca.Update(70, 3, 1005);
        Assert.Equal(4U, ca.AckCnt);
        Assert.Equal(35U, ca.Cnt);
        Assert.Equal(1000U, ca.LastTime);
    }

    [Fact]
    public void The_tcp_friendly_window_caps_cnt_when_reno_would_be_faster()
    {
        // 400 more ACKs at jiffy 1010: t = (10 + 13) × 1024 / 250 = 94, offs = 4222, delta = 28, cnt 35 from the cubic
        // curve; but ack_cnt 401 buys Reno's estimate 3 segments (steps of 70 × 15 >> 3 = 131, 8 left): tcp_cwnd 73,
        // so cnt = min(35, 70 / 3) = 23.
        var ca = FirstAckOfAnEpoch();
        ca.Update(70, 400, 1010);
        Assert.Equal(73U, ca.TcpCwnd);
        Assert.Equal(8U, ca.AckCnt);
        Assert.Equal(23U, ca.Cnt);
    }

    [Fact]
    public void Before_any_loss_the_window_grows_at_least_five_percent_a_round_trip()
    {
        // last_max_cwnd 0: the origin is the window itself (K 0), the curve barely rises (delta 0: cnt 100 × cwnd),
        // and cnt is capped at 20.
        var ca = new CubicState { DelayMin = 50_000 };
        ca.Update(20, 1, 500);
        Assert.Equal(0U, ca.BicK);
        Assert.Equal(20U, ca.BicOriginPoint);
        Assert.Equal(20U, ca.Cnt);
    }

    [Fact]
    public void Past_the_plateau_the_window_grows_faster_but_never_more_than_one_per_two_acks()
    {
        // W_max 100 reached (cwnd 100, no fast convergence here): origin 100, K 0; 25 s into the epoch t = (6250 + 13)
        // × 1024 / 250 = 25653, delta = 410 × 25653³ >> 40 = 6295, target 6395: cnt = 100 / 6295 = 0, raised to 2.
        var ca = new CubicState { LastMaxCwnd = 100, BicOriginPoint = 100, DelayMin = 50_000, EpochStart = 1000, LastTime = 7249, LastCwnd = 99, TcpCwnd = 100 };
        ca.Update(100, 1, 7250);
        Assert.Equal(2U, ca.Cnt);
    }

    /// <summary>W_max 100, cwnd 70, delay_min 50 ms: the epoch's first ACK at jiffy 1000.</summary>
    private static CubicState FirstAckOfAnEpoch()
    {
        var ca = new CubicState { LastMaxCwnd = 100, DelayMin = 50_000 };
        ca.Update(70, 1, 1000);
        return ca;
    }
}
