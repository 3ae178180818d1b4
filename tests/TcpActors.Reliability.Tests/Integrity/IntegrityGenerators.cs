using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// FsCheck generators for <see cref="IntegrityCase"/>s, and the shrinker that makes a failing case
/// small: fewer faults, connections and writes, smaller writes, default sysctls.
/// Sizes are chosen so that a case costs a few milliseconds of wall time: virtual time is free
/// (faults phases of seconds, settle phases of minutes), bytes and packets are not.
/// </summary>
public static class IntegrityGenerators
{
    private static readonly string[] s_hosts = ["client", "server"];

    /// <summary>What a rule may match: all packets, FINs, SYNs, data, resets, pure ACKs.</summary>
    private static readonly string[] s_matches =
        ["", "--tcp-flags FIN FIN ", "--tcp-flags SYN SYN ", "--tcp-flags ACK,PSH ACK,PSH ", "--tcp-flags RST RST ", "--tcp-flags ALL ACK "];



    /// <summary>The whole case, from the seed of the simulation to the chaos.</summary>
    public static Gen<IntegrityCase> Case(int maxConnections, int maxBytesPerWrite) =>
        from seed in Gen.Choose(0, int.MaxValue)
        from seedHigh in Gen.Choose(0, 1000)
        from delay in Gen.Elements(0, 50, 500, 2_000, 10_000, 40_000)
        from faults in Gen.Choose(500, 20_000)
        from sysctls in Sysctls()
        from connections in Gen.Choose(1, maxConnections).SelectMany(n => Gen.ListOf(Connection(maxBytesPerWrite), n))
        from chaos in Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Fault(faults), n))
        select new IntegrityCase(
            ((ulong)seedHigh << 32) | (uint)seed,
            delay,
            faults,
            sysctls,
            connections.ToList(),
            chaos.OrderBy(c => c.AtMilliseconds).ToList());

    public static Arbitrary<IntegrityCase> Arbitrary(int maxConnections, int maxBytesPerWrite) =>
        Arb.From(Case(maxConnections, maxBytesPerWrite), Shrink);

    /// <summary>Smaller versions of a failing case, simplest first.</summary>
    public static IEnumerable<IntegrityCase> Shrink(IntegrityCase failing)
    {
        for (int i = 0; i < failing.Chaos.Count; i++)
        {
            yield return failing with { Chaos = Without(failing.Chaos, i) };
        }

        if (failing.Sysctls.Count > 0)
        {
            yield return failing with { Sysctls = [] };
        }

        for (int i = 0; i < failing.Connections.Count && failing.Connections.Count > 1; i++)
        {
            yield return failing with { Connections = Without(failing.Connections, i) };
        }

        for (int i = 0; i < failing.Connections.Count; i++)
        {
            foreach (var smaller in ShrinkConnection(failing.Connections[i]))
            {
                yield return failing with { Connections = Replace(failing.Connections, i, smaller) };
            }
        }

        if (failing.LinkDelayMicroseconds > 0)
        {
            yield return failing with { LinkDelayMicroseconds = 0 };
        }
    }

    private static IEnumerable<ConnectionPlan> ShrinkConnection(ConnectionPlan connection)
    {
        if (connection.StartMilliseconds > 0)
        {
            yield return connection with { StartMilliseconds = 0 };
        }

        foreach (var client in ShrinkEndpoint(connection.Client))
        {
            yield return connection with { Client = client };
        }

        foreach (var server in ShrinkEndpoint(connection.Server))
        {
            yield return connection with { Server = server };
        }
    }

    private static IEnumerable<EndpointPlan> ShrinkEndpoint(EndpointPlan endpoint)
    {
        for (int i = 0; i < endpoint.Writes.Count; i++)
        {
            yield return endpoint with { Writes = Without(endpoint.Writes, i) };
        }

        for (int i = 0; i < endpoint.Writes.Count; i++)
        {
            var write = endpoint.Writes[i];
            if (write.Bytes > 1)
            {
                yield return endpoint with { Writes = Replace(endpoint.Writes, i, write with { Bytes = write.Bytes / 2 }) };
            }

            if (write.DelayMilliseconds > 0)
            {
                yield return endpoint with { Writes = Replace(endpoint.Writes, i, write with { DelayMilliseconds = 0 }) };
            }
        }

        if (endpoint.ReceiveBuffer is not null)
        {
            yield return endpoint with { ReceiveBuffer = null };
        }

        if (endpoint.ReadChunk != 0)
        {
            yield return endpoint with { ReadChunk = 0, ReadIntervalMilliseconds = 0 };
        }
    }

    private static List<T> Without<T>(IReadOnlyList<T> items, int index) => items.Where((_, i) => i != index).ToList();

    private static List<T> Replace<T>(IReadOnlyList<T> items, int index, T item) => items.Select((x, i) => i == index ? item : x).ToList();

    private static Gen<List<string>> Sysctls() =>
        from sack in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>("net.ipv4.tcp_sack=0")))
        from timestamps in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>("net.ipv4.tcp_timestamps=0")))
        from retries in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Choose(3, 8).Select<int, string?>(n => $"net.ipv4.tcp_retries2={n}")))
        from syn in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Choose(2, 5).Select<int, string?>(n => $"net.ipv4.tcp_syn_retries={n}")))
        select new[] { sack, timestamps, retries, syn }.Where(s => s is not null).Select(s => s!).ToList();

    private static Gen<ConnectionPlan> Connection(int maxBytesPerWrite) =>
        from start in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(0, 3000)))
        from client in Endpoint(maxBytesPerWrite)
        from server in Endpoint(maxBytesPerWrite)
        select new ConnectionPlan(start, ActiveIfBothWait(client, server), server);

    /// <summary>Two applications that each wait for the other's end of stream before closing would wait forever by design: one of them shuts down.</summary>
    private static EndpointPlan ActiveIfBothWait(EndpointPlan client, EndpointPlan server) =>
        client.Ending == Ending.CloseAfterEndOfStream && server.Ending == Ending.CloseAfterEndOfStream ? client with { Ending = Ending.ShutdownWrite } : client;

    /// <summary>One side's behaviour: its writes, how it ends, pushed or polled reads (16 bytes to 64 kB every 1-300 ms), SO_RCVBUF, TCP_NODELAY.</summary>
    private static Gen<EndpointPlan> Endpoint(int maxBytesPerWrite) =>
        from writes in Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(Write(maxBytesPerWrite), n))
        from ending in Gen.Frequency(
            (4, Gen.Constant(Ending.ShutdownWrite)),
            (4, Gen.Constant(Ending.CloseAfterEndOfStream)),
            (2, Gen.Constant(Ending.CloseNow)),
            (1, Gen.Constant(Ending.Abort)),
            (1, Gen.Constant(Ending.LingerClose)))
        from readChunk in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Elements(16, 100, 1000, 65536)))
        from interval in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 300)))
        from buffer in Gen.Frequency((4, Gen.Constant<int?>(null)), (1, Gen.Choose(1024, 16384).Select<int, int?>(n => n)))
        from noDelay in Gen.Elements(false, true)
        select new EndpointPlan(writes.ToList(), ending, readChunk, readChunk == 0 ? 0 : interval, buffer, noDelay);

    private static Gen<WritePlan> Write(int maxBytesPerWrite) =>
        from bytes in Gen.Frequency(
            (3, Gen.Choose(1, 100)),
            (3, Gen.Choose(100, 3000)),
            (1, Gen.Choose(3000, Math.Max(3000, maxBytesPerWrite))))
        from delay in Gen.Frequency((2, Gen.Constant(0)), (2, Gen.Choose(1, 500)), (1, Gen.Choose(500, 4000)))
        select new WritePlan(bytes, delay);

    private static Gen<ChaosPlan> Fault(int faultsMilliseconds) =>
        from at in Gen.Choose(0, faultsMilliseconds)
        from host in Gen.Elements(s_hosts)
        from duration in Gen.Choose(100, 6000)
        from fault in Gen.Frequency(
            (4, Netem().Select(text => (FaultKind.Netem, text))),
            (3, Rule().Select(text => (FaultKind.Iptables, text))),
            (1, Gen.Constant((FaultKind.Partition, ""))))
        select new ChaosPlan(at, fault.Item1, fault.Item1 == FaultKind.Partition ? "" : host, fault.Item2, duration);

    /// <summary>A netem line: delay with jitter, loss up to 30 %, duplication, reordering, corruption.</summary>
    public static Gen<string> Netem() =>
        from delay in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 80)))
        from jitter in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 40)))
        from loss in Percent(30)
        from duplicate in Percent(20)
        from reorder in Percent(40)
        from corrupt in Percent(10)
        select NetemText(delay, jitter, loss, duplicate, reorder, corrupt);

    private static string NetemText(int delay, int jitter, int loss, int duplicate, int reorder, int corrupt)
    {
        var parts = new List<string>();
        var culture = CultureInfo.InvariantCulture;
        if (delay > 0)
        {
            parts.Add(jitter > 0 ? string.Create(culture, $"delay {delay}ms {jitter}ms") : string.Create(culture, $"delay {delay}ms"));
        }

        if (loss > 0)
        {
            parts.Add(string.Create(culture, $"loss {loss}%"));
        }

        if (duplicate > 0)
        {
            parts.Add(string.Create(culture, $"duplicate {duplicate}%"));
        }

        if (reorder > 0 && delay > 0)
        {
            parts.Add(string.Create(culture, $"reorder {reorder}% 25%"));
        }

        if (corrupt > 0)
        {
            parts.Add(string.Create(culture, $"corrupt {corrupt}%"));
        }

        return parts.Count == 0 ? "delay 1ms" : string.Join(' ', parts);
    }

    private static Gen<int> Percent(int max) => Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, max)));

    /// <summary>
    /// An iptables rule (without -A/-D), on INPUT (loss on the wire) or OUTPUT (a local send failure): random
    /// drops up to 30 %, of everything or of a kind of segment; now and then a reset.
    /// </summary>
    public static Gen<string> Rule() =>
        from chain in Gen.Elements("INPUT", "OUTPUT")
        from probability in Gen.Choose(1, 30)
        from match in Gen.Elements(s_matches)
        from mode in Gen.Frequency(
            (6, Gen.Constant(string.Create(CultureInfo.InvariantCulture, $"-m statistic --mode random --probability 0.{probability:D2} "))),
            (1, Gen.Choose(2, 5).Select(n => string.Create(CultureInfo.InvariantCulture, $"-m statistic --mode nth --every {n} --packet 0 "))),
            (1, Gen.Constant("")))
        from target in Gen.Frequency((8, Gen.Constant("-j DROP")), (1, Gen.Constant("-j REJECT --reject-with tcp-reset")))
        select $"{chain} -p tcp {match}{mode}{target}";
}
