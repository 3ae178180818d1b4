using System.Globalization;
using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests;

/// <summary>
/// The send buffer as Linux accounts it: every sk_buff costs its bytes and 832 (sk_wmem_queued), a new one is
/// allocated only while that is below sk_sndbuf, and a blocking send() sleeps until ACKs free a third of it.
/// The peer is cut off (the router drops everything from t=1.9), so nothing is acknowledged while the client
/// writes 100000 bytes at t=2: what the write copied before it slept is its Send-Q.
/// </summary>
public sealed class SendBufferTests
{
    [Theory]
    [InlineData("bbr", null, 44888, "P.")] // tcp_sndbuf_expand: 3 × 10 × 2304 = 69120; 31 sk_buffs (31 × 2280 ≥ 69120)
    [InlineData("reno", null, 30408, "P.")] // 2 × 10 × 2304 = 46080; 21 sk_buffs, as in 26-partition-recovery
    [InlineData("cubic", null, 30408, "P.")] // Linux's default algorithm has no sndbuf_expand: the factor is 2 too
    [InlineData("bbr", 8192, 11584, ".")] // SO_SNDBUF 8192 is 16384, locked: never expanded; 8 sk_buffs (8 × 2280 ≥ 16384), all sent at once
    public void A_blocking_send_copies_until_the_send_buffer_is_full_and_returns_once_acks_free_it(string congestionControl, int? sendBuffer, int copied, string lastFlags)
    {
        // GSO off on the client (gso_max_segs 1, as 26-partition-recovery whose numbers these are): every sk_buff one
        // segment, so the copy's count of sk_buffs and their 832-byte overheads is the count above.
        var lab = Lab.Routed(client: [$"net.ipv4.tcp_congestion_control={congestionControl}"]);
        lab.SetGsoMaxSegs(lab.Client, 1);
        var partition = new DropRule(HookPoint.Forward, "FORWARD -j DROP");
        lab.At(1.9, () => lab.AddRule(lab.Router!, partition));
        lab.At(3.0, () => lab.Ss(lab.Client, "blocked"));
        lab.At(5.0, () => lab.DeleteRule(lab.Router!, partition));
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, p => Client(p, sendBuffer));
        lab.RunUntil(60);

        string blocked = lab.SsLog.Single(l => l.Contains(" blocked", StringComparison.Ordinal));
        Assert.Contains($"ESTAB 0 {copied} 10.0.1.2:40000 10.0.2.2:8080", blocked, StringComparison.Ordinal);

        // The copy stopped on a full sk_buff: tcp_push marked it PSH before the writer slept (sk_stream_wait_memory)
        // if it was still unsent (behind the initial window of 10 segments); one already sent is not marked.
        var wire = lab.Wire.Text(withTime: false).Split('\n');
        Assert.Contains($"40000>8080 {lastFlags} seq {copied - 1447}:{copied + 1} ack 1 win 63 [TS] length 1448", wire);

        // send() returned only after the partition healed, with every byte; the server read them all.
        var send = lab.Calls.Of("client").Split('\n').Single(l => l.Contains(" send(", StringComparison.Ordinal));
        Assert.EndsWith("send(100000 bytes) -> 100000", send, StringComparison.Ordinal);
        Assert.True(double.Parse(send.Split(' ')[0], CultureInfo.InvariantCulture) > 5.0, send);
        Assert.Equal(100000, lab.Calls.Of("server").Split('\n').Where(l => l.Contains(" recv(", StringComparison.Ordinal) && l.EndsWith(" bytes", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(' ')[^2], CultureInfo.InvariantCulture)));
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, int? sendBuffer)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        if (sendBuffer is { } size)
        {
            yield return socket.SetOptions($"SO_SNDBUF {size}", o => o with { SendBuffer = size });
        }

        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(100000);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
