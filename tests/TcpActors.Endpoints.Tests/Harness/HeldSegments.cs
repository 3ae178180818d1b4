using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// The simulated twin of tools/kernel-lab/nfq_hold.py: on an interface's egress, holds the first copy (the
/// original, not a retransmission) of each data segment whose sequence number, relative to the SYN's, is
/// named, for the given time; everything else leaves at once, so what follows a held segment overtakes it.
/// </summary>
internal sealed class HeldSegments(IReadOnlyDictionary<uint, Duration> holds) : IQueueDiscipline
{
    private readonly HashSet<uint> _held = [];
    private uint? _isn;

    public void Enqueue(Packet packet, SimTime now, List<Departure> departures)
    {
        var delay = Duration.Zero;
        if (packet is Segment segment)
        {
            if (segment.IsSyn)
            {
                _isn = segment.Seq.Value;
            }
            else if (_isn is { } isn && segment.PayloadLength > 0)
            {
                uint relative = unchecked(segment.Seq.Value - isn);
                if (holds.TryGetValue(relative, out var hold) && _held.Add(relative))
                {
                    delay = hold;
                }
            }
        }

        departures.Add(new Departure(packet, now + delay));
    }
}
