using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>
/// The retransmission timeout computed from real RTT samples, as tcp_rtt_estimator and __tcp_set_rto do it:
/// RTO = srtt + rttvar, where rttvar is never below rto_min (200 ms), rounded up to jiffies (4 ms), doubled
/// per timeout (tcp_retransmit_timer's icsk_backoff).
/// </summary>
public sealed class RtoEstimationTests
{
    private const long Jiffy = 4_000_000;

    [Fact]
    public void The_first_rto_on_a_100_ms_path_is_srtt_plus_rto_min_and_doubles_on_the_next_timeout()
    {
        // Proves tcp_rtt_estimator + __tcp_set_rto on a path with 50 ms one way (two links of 25 ms): the
        // handshake and three 100-byte sends acknowledged at once (quick-ACK) give four samples of exactly 100 ms.
        // The first sets srtt = 100 ms, mdev = 50 ms (mdev_us = 200 ms, scaled by 4) and rttvar =
        // max(mdev_us, rto_min) = 200 ms; the equal samples after it only shrink mdev, and rttvar never goes
        // below rto_min, so RTO = 100 + 200 = 300 ms (75 jiffies). The client has tcp_sack=0, so no tail loss
        // probe comes first (tcp_schedule_loss_probe needs SACK). From 4.5 s the router drops the client's data:
        // the 100 bytes sent at 5 s are retransmitted at +300 ms, +900 ms (600 ms later) and +2.1 s (1.2 s later).
        var delay = new LinkSettings(Duration.FromMilliseconds(25));
        var lab = Lab.Routed(client: ["net.ipv4.tcp_sack=0"], links: delay);
        lab.At(4.5, () => lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -d 10.0.2.2 -p tcp -m length --length 53:65535 -j DROP")));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(7.5);

        var data = lab.Wire.Segments
            .Where(s => s.Record.Length > 0 && s.Record.Source.Port == 40000)
            .Select(s => s.At)
            .ToList();
        Assert.Equal(3 + 1 + 3, data.Count);
        long sent = data[3];
        Assert.Equal(5_000_000_000, sent);
        Assert.InRange(data[4] - sent, 300_000_000 - Jiffy, 300_000_000 + Jiffy);
        Assert.InRange(data[5] - data[4], 600_000_000 - Jiffy, 600_000_000 + Jiffy);
        Assert.InRange(data[6] - data[5], 1_200_000_000 - Jiffy, 1_200_000_000 + Jiffy);
        Assert.Equal(3, lab.ClientStack.Counters.Timeouts);
        Assert.Equal(0, lab.ClientStack.Counters.LossProbes);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        foreach (double at in new[] { 2.0, 3.0, 4.0, 5.0 })
        {
            yield return Script.Until(at);
            yield return socket.Send(100);
        }
    }
}
