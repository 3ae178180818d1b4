using System.Security.Cryptography;
using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The whole trace of a run, as a fingerprint: every dispatched event (time, recipient, message) and
/// every packet captured, hashed in order with SHA-256. Small runs also keep the lines, so that two
/// runs that differ can say where they first part.
/// </summary>
public sealed class TraceDigest
{
    private const int LinesKept = 200_000;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<string> _lines = [];
    private string? _digest;

    public long Count { get; private set; }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Hooks the digest to a system (as <c>RunOptions.Attach</c> or LoadRunner's <c>attach</c> do).</summary>
    public void Attach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.DispatchTracer = (time, recipient, message) => Add($"{time} {recipient.Path} {message}");
        system.EventStream.Subscribe<PacketCaptured>(p => Add($"{p.Time} {p.HostName} {p.InterfaceName} {p.Direction} {p.Packet}"));
    }

    public string Digest => _digest ??= Convert.ToHexString(_hash.GetHashAndReset());

    /// <summary>Null when the traces match; otherwise where and how they first differ.</summary>
    public static string? Compare(TraceDigest first, TraceDigest second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count == second.Count && first.Digest == second.Digest)
        {
            return null;
        }

        int common = Math.Min(first._lines.Count, second._lines.Count);
        for (int i = 0; i < common; i++)
        {
            if (first._lines[i] != second._lines[i])
            {
                return $"the traces part at line {i + 1}:\n  first:  {first._lines[i]}\n  second: {second._lines[i]}";
            }
        }

        return $"the traces differ: {first.Count} lines ({first.Digest[..16]}) against {second.Count} ({second.Digest[..16]})";
    }

    private void Add(string line)
    {
        Count++;
        _hash.AppendData(Encoding.UTF8.GetBytes(line));
        _hash.AppendData("\n"u8);
        if (_lines.Count < LinesKept)
        {
            _lines.Add(line);
        }
    }
}
