using System.Buffers.Binary;
using System.Diagnostics;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Trace ids derived from the run's seed and the connection, so that a replayed run produces the same
/// trace ids and therefore the same head-sampling decisions (the ratio samplers decide on the trace id).
/// <para>
/// System.Diagnostics creates a root activity's trace id before the sampler runs, through
/// <see cref="Activity.TraceIdGenerator"/> when one is set. We install a generator once that hands out the
/// id <see cref="Use"/> parked for the current thread, and otherwise defers to the generator that was
/// there before (or a random id), so other activities in the process are unaffected. Only a connection's
/// root span (its client end, or an end whose peer is not simulated) draws an id; the server end of a
/// simulated client is its child and inherits it. Span ids have no such hook and stay random.
/// </para>
/// </summary>
internal static class DeterministicTraceIds
{
    [ThreadStatic]
    private static ActivityTraceId? t_next;

    private static readonly Lock s_installLock = new();
    private static bool s_installed;

    /// <summary>
    /// The trace id of a connection: a keyed hash of the run's seed, the 4-tuple as the client sees it and
    /// the instance number of that 4-tuple (0 for its first connection, 1 for the next one reusing it…).
    /// Both ends derive the same id, and a reused 4-tuple gets a new one.
    /// </summary>
    public static ActivityTraceId For(ulong seed, FourTuple clientView, long instance)
    {
        ulong addresses = ((ulong)clientView.LocalAddress.Value << 32) | clientView.RemoteAddress.Value;
        ulong ports = ((ulong)clientView.LocalPort << 16) | clientView.RemotePort;
        ulong a = Mix(seed ^ Mix(addresses ^ Mix(ports ^ Mix((ulong)instance))));
        ulong high = Mix(a ^ 0x5443_5041_6374_6f72UL);
        ulong low = Mix(high ^ 0x9E3779B97F4A7C15UL ^ (ulong)instance);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low == 0 && high == 0 ? 1 : low);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>Runs <paramref name="create"/> with <paramref name="traceId"/> as the id of any root activity it creates.</summary>
    public static T Use<T>(ActivityTraceId traceId, Func<T> create)
    {
        EnsureInstalled();
        t_next = traceId;
        try
        {
            return create();
        }
        finally
        {
            t_next = null;
        }
    }

    private static void EnsureInstalled()
    {
        if (Volatile.Read(ref s_installed))
        {
            return;
        }

        lock (s_installLock)
        {
            if (s_installed)
            {
                return;
            }

            var previous = Activity.TraceIdGenerator;
            Activity.TraceIdGenerator = () => t_next ?? previous?.Invoke() ?? ActivityTraceId.CreateRandom();
            Volatile.Write(ref s_installed, true);
        }
    }

    // SplitMix64's finaliser: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
