using System.Numerics;
using System.Text;

namespace TcpActors.Runtime;

/// <summary>
/// A deterministic pseudo-random stream that we own, so that a seed reproduces a run on any machine and
/// any .NET version (System.Random's algorithm is an implementation detail that has changed before).
/// <para>
/// Generator: xoshiro256** 1.0 (Blackman and Vigna, 2018), state seeded by SplitMix64. Streams are
/// derived, never shared: <see cref="Derive(ulong, string)"/> hashes a stream name (an actor path, or
/// a name such as <c>chaos/rule-3</c>) with 64-bit FNV-1a over its UTF-8 bytes, mixes it with the run
/// seed through SplitMix64 and seeds a new generator. Adding an actor therefore never changes the
/// draws of another. The algorithm is documented in docs/adr/0001-actor-runtime.md; changing it
/// changes every recorded trace and needs a decision record.
/// </para>
/// </summary>
public sealed class RandomStream
{
    private const ulong FnvOffsetBasis = 0xcbf29ce484222325UL;
    private const ulong FnvPrime = 0x100000001b3UL;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public RandomStream(ulong seed)
    {
        ulong state = seed;
        _s0 = SplitMix64(ref state);
        _s1 = SplitMix64(ref state);
        _s2 = SplitMix64(ref state);
        _s3 = SplitMix64(ref state);
    }

    /// <summary>The stream named <paramref name="name"/> within the run seeded with <paramref name="runSeed"/>.</summary>
    public static RandomStream Derive(ulong runSeed, string name) => new(DeriveSeed(runSeed, name));

    /// <summary>The seed of the stream named <paramref name="name"/>: SplitMix64(runSeed XOR FNV-1a-64(UTF-8 name)).</summary>
    public static ulong DeriveSeed(ulong runSeed, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ulong hash = FnvOffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        ulong state = runSeed ^ hash;
        return SplitMix64(ref state);
    }

    /// <summary>A child stream, independent of this one's later draws.</summary>
    public RandomStream Fork(string name) => Derive(NextUInt64(), name);

    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>Uniform in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public ulong NextUInt64(ulong maxExclusive)
    {
        if (maxExclusive == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        }

        ulong high = Math.BigMul(NextUInt64(), maxExclusive, out ulong low);
        if (low < maxExclusive)
        {
            ulong threshold = (0 - maxExclusive) % maxExclusive;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), maxExclusive, out low);
            }
        }

        return high;
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)NextUInt64((ulong)maxExclusive);
    }

    /// <summary>Uniform in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public long NextInt64(long minInclusive, long maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must exceed the minimum");
        }

        return minInclusive + (long)NextUInt64((ulong)(maxExclusive - minInclusive));
    }

    /// <summary>True with probability <paramref name="probability"/> (0 never, 1 always).</summary>
    public bool NextBoolean(double probability) => probability >= 1.0 || (probability > 0.0 && NextDouble() < probability);

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9e3779b97f4a7c15UL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
