using TcpActors.Runtime;

namespace TcpActors.Network.Tests;

/// <summary>
/// The per-destination limit on ICMP errors (icmpv4_xrlim_allow / inet_peer_xrlim_allow): a bucket of six
/// messages' worth of net.ipv4.icmp_ratelimit, full for a new destination, paying one second per message.
/// </summary>
public sealed class IcmpRateLimitTests
{
    [Fact]
    public void A_reject_answers_seven_syns_200_ms_apart_then_one_a_second()
    {
        // Proves the token arithmetic experiment 30 showed (7 errors, 2 refused, then one): the bucket starts at
        // 6 s, each error costs 1 s and 200 ms earns 200 ms back, so errors go out at 0 … 1.2 s (tokens 5, 4.2,
        // 3.4, 2.6, 1.8, 1.0, 0.2 s after each), none at 1.4, 1.6, 1.8 s, and one at 2.0 s when a whole second
        // has gathered again. Each refused error is a drop with its own reason.
        var (system, topology, atClient) = RejectingPath(sysctlRatemask: null);
        var answeredAt = SendSynsEvery200Milliseconds(system, topology, atClient, count: 11);

        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 2.0], answeredAt);
        Assert.Equal(3, topology["server"].DroppedCount(DropReason.IcmpRateLimit));
    }

    [Fact]
    public void Icmp_ratemask_without_the_destination_unreachable_bit_lifts_the_limit()
    {
        // Proves net.ipv4.icmp_ratemask: with bit 3 (destination unreachable) clear, every SYN gets its error.
        var (system, topology, atClient) = RejectingPath(sysctlRatemask: 0);
        var answeredAt = SendSynsEvery200Milliseconds(system, topology, atClient, count: 11);

        Assert.Equal(11, answeredAt.Count);
        Assert.Equal(0, topology["server"].DroppedCount(DropReason.IcmpRateLimit));
    }

    [Fact]
    public void Errors_a_host_sends_itself_over_loopback_are_not_limited()
    {
        // Proves icmpv4_xrlim_allow's loopback exception: ten SYNs to a rejecting local port at one instant get ten errors.
        var system = ActorSystem.Create("icmp-loopback");
        var topology = new TopologyBuilder(system).AddHost("box", h => h.LoopbackOnly()).Build();
        var box = topology["box"];
        var delivered = new RecordingTransport();
        box.Transport = delivered;
        box.Filter = new FunctionFilter((p, c) => c.Hook == HookPoint.Input && p is Segment ? new FilterVerdict(FilterAction.Reject) : FilterVerdict.Accept);
        for (int i = 0; i < 10; i++)
        {
            box.Output(Segments.Tcp("127.0.0.1", (ushort)(40000 + i), "127.0.0.1", 8080, TcpFlags.Syn));
        }

        system.RunUntilIdle();
        Assert.Equal(10, delivered.Delivered.Count(d => d.Packet is IcmpPacket));
    }

    private static (ActorSystem System, Topology Topology, RecordingTransport AtClient) RejectingPath(int? sysctlRatemask)
    {
        var system = ActorSystem.Create("icmp-ratelimit");
        var topology = new TopologyBuilder(system)
            .AddHost("client", h => h.Address("10.0.1.2/24"))
            .AddRouter("router", h => h.Address("10.0.1.1/24"))
            .AddHost("server", h =>
            {
                h.Address("10.0.2.2/24");
                if (sysctlRatemask is { } mask)
                {
                    h.Sysctl("net.ipv4.icmp_ratemask", mask.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            })
            .Connect("client", "router")
            .Connect("router", "server")
            .Build();
        var atClient = new RecordingTransport();
        topology["client"].Transport = atClient;
        topology["server"].Filter = new FunctionFilter((_, c) => c.Hook == HookPoint.Input ? new FilterVerdict(FilterAction.Reject, RejectWith.IcmpHostUnreachable) : FilterVerdict.Accept);
        return (system, topology, atClient);
    }

    private static List<double> SendSynsEvery200Milliseconds(ActorSystem system, Topology topology, RecordingTransport atClient, int count)
    {
        for (int i = 0; i < count; i++)
        {
            system.RunUntil(SimTime.FromSeconds(i * 0.2));
            topology["client"].Output(Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Ack | TcpFlags.Psh, seq: 1, length: 100));
        }

        system.RunUntilIdle();
        return [.. atClient.Delivered.Where(d => d.Packet is IcmpPacket).Select(d => Math.Round(d.At.TotalSeconds, 3))];
    }
}
