using System.Runtime.CompilerServices;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>What the connect()-time port search learnt of one candidate port's 4-tuple.</summary>
internal enum TupleCheck
{
    /// <summary>No socket uses the 4-tuple: take the port.</summary>
    Unique,

    /// <summary>A TIME_WAIT socket used it and may be recycled (it has been killed): take the port.</summary>
    UniqueAfterRecyclingTimeWait,

    /// <summary>A live socket, or a TIME_WAIT that may not be reused, holds the 4-tuple: try the next port.</summary>
    InUse,
}

/// <summary>
/// Linux's choice of local port, reproduced step by step (net/ipv4/inet_hashtables.c and
/// inet_connection_sock.c, 6.x).
/// <para>
/// connect() without bind() (<c>__inet_hash_connect</c>): the range ip_local_port_range is taken as
/// [low, high+1) and its size rounded down to even. A keyed hash of (local address, remote address,
/// remote port) — the local port plays no part — selects one of 2^16 perturbation counters; the start
/// offset is (counter + hash >> 32) mod size, forced even. The scan visits every port of the start's
/// parity, step 2, wrapping: reserved ports are skipped; a port with no bind bucket is taken (its
/// bucket marked as made by connect); a bucket made by bind() is skipped; a connect-made bucket is
/// taken only if the 4-tuple is unique (a recyclable TIME_WAIT counts as unique). Then the odd ports.
/// Nothing free means EADDRNOTAVAIL. After a success the counter advances by max(i, rand(0..7)·2) + 2
/// (i = how far the scan went), so the next connect to the same destination starts further along.
/// Exhaustion is therefore per (local address, remote address, remote port), as on Linux.
/// </para>
/// <para>
/// bind() to port 0 (<c>inet_csk_find_open_port</c>): a uniformly random start forced odd (even ports
/// are left for connect), step 2, then the other parity; with SO_REUSEADDR the lower half of the range
/// is searched first, then the upper half. A port is taken if the bind-conflict rules allow it.
/// </para>
/// <para>
/// Simplified: Linux's hash is SipHash with a boot-time secret; ours is a keyed 64-bit mix seeded from
/// the run's seed, so port numbers differ from a real machine's but follow the same rules and are
/// reproducible per seed. IP_LOCAL_PORT_RANGE per socket and l3mdev are not modelled.
/// </para>
/// </summary>
internal sealed class EphemeralPorts(Sysctls sysctls, BindTable binds, RandomStream random)
{
    private const int PerturbSize = 1 << 16;
    private readonly ulong _secret = random.NextUInt64();
    private uint[]? _perturb;

    /// <summary>
    /// Picks a port for a connect() from <paramref name="local"/> to <paramref name="remote"/>, or null
    /// (EADDRNOTAVAIL). <paramref name="checkTuple"/> tests a port's 4-tuple, recycling a TIME_WAIT if allowed.
    /// </summary>
    public ushort? ChooseForConnect(IPv4Address local, SocketAddress remote, Func<ushort, TupleCheck> checkTuple, IPortHolder holder) =>
        ChooseForConnect(local, remote, new DelegateTupleCheck(checkTuple), holder);

    /// <summary>As above, with the tuple test as a struct (no closure per connect()).</summary>
    public ushort? ChooseForConnect<TCheck>(IPv4Address local, SocketAddress remote, TCheck checkTuple, IPortHolder holder)
        where TCheck : ITupleCheck
    {
        var (low, highInclusive) = sysctls.IpLocalPortRange;
        int high = highInclusive + 1;
        int remaining = high - low;
        if (remaining > 1)
        {
            remaining &= ~1;
        }

        ulong portOffset = PortOffset(local, remote);
        _perturb ??= CreatePerturbTable();
        int index = (int)(portOffset & (PerturbSize - 1));
        uint offset = (uint)(((ulong)_perturb[index] + (portOffset >> 32)) % (ulong)remaining);
        offset &= ~1u;
        for (int pass = 0; pass < 2; pass++)
        {
            int port = low + (int)offset;
            for (int i = 0; i < remaining; i += 2, port += 2)
            {
                if (port >= high)
                {
                    port -= remaining;
                }

                if (TryTakeForConnect((ushort)port, checkTuple, holder))
                {
                    int advance = Math.Max(i, random.NextInt32(8) * 2);
                    _perturb[index] = unchecked(_perturb[index] + (uint)advance + 2);
                    return (ushort)port;
                }
            }

            offset++;
            if ((offset & 1) == 0 || remaining <= 1)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>Picks a port for bind(addr, 0), or null (EADDRINUSE: Linux reports that for autobind failure).</summary>
    public ushort? ChooseForBind(IPortHolder holder)
    {
        var (low, highInclusive) = sysctls.IpLocalPortRange;
        int fullHigh = highInclusive + 1;
        int attemptHalf = holder.ReuseAddress && fullHigh - low >= 4 ? 1 : 0;
        while (true)
        {
            int rangeLow = low;
            int high = fullHigh;
            if (attemptHalf != 0)
            {
                int half = low + (((fullHigh - low) >> 2) << 1);
                (rangeLow, high) = attemptHalf == 1 ? (low, half) : (half, fullHigh);
            }

            int remaining = high - rangeLow;
            if (remaining > 1)
            {
                remaining &= ~1;
            }

            uint offset = (uint)random.NextInt32(Math.Max(1, remaining)) | 1u;
            for (int pass = 0; pass < 2; pass++)
            {
                int port = rangeLow + (int)offset;
                for (int i = 0; i < remaining; i += 2, port += 2)
                {
                    if (port >= high)
                    {
                        port -= remaining;
                    }

                    if (!sysctls.IpLocalReservedPorts.Contains(port) && !binds.Conflicts((ushort)port, holder, asListener: false))
                    {
                        return (ushort)port;
                    }
                }

                offset--;
                if ((offset & 1) != 0)
                {
                    break;
                }
            }

            if (attemptHalf != 1)
            {
                return null;
            }

            attemptHalf = 2;
        }
    }

    private bool TryTakeForConnect<TCheck>(ushort port, TCheck checkTuple, IPortHolder holder)
        where TCheck : ITupleCheck
    {
        if (sysctls.IpLocalReservedPorts.Contains(port))
        {
            return false;
        }

        ref var bucket = ref binds.Find(port);
        if (Unsafe.IsNullRef(ref bucket))
        {
            binds.Add(port, holder, byConnect: true);
            return true;
        }

        // Read before the tuple check, which may recycle a TIME_WAIT and with it free the bucket.
        if (!bucket.CreatedByConnect || checkTuple.Check(port) == TupleCheck.InUse)
        {
            return false;
        }

        binds.Add(port, holder, byConnect: true);
        return true;
    }

    /// <summary>The keyed hash of (local address, remote address, remote port); Linux's secure_ipv4_port_ephemeral.</summary>
    private ulong PortOffset(IPv4Address local, SocketAddress remote)
    {
        ulong x = _secret ^ ((ulong)local.Value << 32 | remote.Address.Value);
        x = Mix(x) ^ remote.Port;
        return Mix(x + 0x9E3779B97F4A7C15UL);
    }

    private uint[] CreatePerturbTable()
    {
        var table = new uint[PerturbSize];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = random.NextUInt32();
        }

        return table;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Tests whether the 4-tuple a candidate port makes is free for connect() (__inet_check_established).</summary>
internal interface ITupleCheck
{
    TupleCheck Check(ushort port);
}

internal readonly struct DelegateTupleCheck(Func<ushort, TupleCheck> check) : ITupleCheck
{
    public TupleCheck Check(ushort port) => check(port);
}
