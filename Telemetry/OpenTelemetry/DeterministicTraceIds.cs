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
/// there before (or a random id), so other activities in the process are unaffected.
/// Span ids have no such hook and stay random.
/// </para>
/// </summary>
internal static class DeterministicTraceIds
{
    [ThreadStatic]
    private static ActivityTraceId? t_next;

    private static readonly Lock s_installLock = new();
    private static bool s_installed;

    /// <summary>The trace id of a connection: a keyed hash of seed, host, 4-tuple, start time and ordinal within that instant.</summary>
    public static ActivityTraceId For(ulong seed, string hostName, FourTuple tuple, long startNanoseconds, int ordinal)
    {
        ulong hostHash = 0xcbf29ce484222325UL;
        foreach (char c in hostName)
        {
            hostHash = (hostHash ^ c) * 0x100000001b3UL;
        }

        ulong tupleBits = ((ulong)tuple.LocalAddress.Value << 32) | tuple.RemoteAddress.Value;
        ulong ports = ((ulong)tuple.LocalPort << 16) | tuple.RemotePort;
        ulong a = Mix(seed ^ Mix(hostHash ^ Mix(tupleBits ^ Mix(ports ^ ((ulong)ordinal << 32)))));
        ulong high = Mix(a ^ (ulong)startNanoseconds);
        ulong low = Mix(high ^ 0x9E3779B97F4A7C15UL ^ (ulong)startNanoseconds);
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
