using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// The socket backlog while a send() owns the socket (sock_owned_by_user): segments that arrive during the copy
/// are not processed but queued (tcp_add_backlog, which coalesces pure ACKs into one), and tcp_sendmsg_locked takes
/// them in before every 16th new sk_buff of a write (sk_flush_backlog). The simulator's copy takes no time but at
/// that point: there the write waits the time the kernel took to copy the 16 sk_buffs, and takes in what arrived
/// meanwhile (on instant links the answers to every segment the write has sent so far).
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>
    /// The time a flush point is reached after the previous one: 16 sk_buffs copied, at the kernel's pace in
    /// tests/reference/kernel/25-slow-reader-default.txt (the segment sent when the backlog was processed before
    /// the 17th sk_buff left 122 µs after the write's first).
    /// </summary>
    private static readonly Duration BacklogFlushInterval = Duration.FromMicroseconds(122);

    /// <summary>A send() has stopped to take in its backlog: segments arriving now are queued, not processed.</summary>
    private bool _ownedByWriter { get => Has(SocketFlags.OwnedByWriter); set => Set(SocketFlags.OwnedByWriter, value); }

    private List<Segment>? _backlog { get => _waits?.Backlog; set => WaitsFor(value)?.Backlog = value; }

    /// <summary>The write goes on copying: it owns the socket until <see cref="FlushBacklog"/> comes back to it.</summary>
    private void OwnForBacklog()
    {
        _ownedByWriter = true;
        _stack.Host.System.ScheduleTellOnce(BacklogFlushInterval, Self, FlushBacklog.Instance, ActorRefs.NoSender);
    }

    /// <summary>
    /// tcp_add_backlog: queue the segment, merged into the last one queued when both are pure ACKs with the same
    /// sequence number, flags (no SYN, RST or URG, the same ECE and CWR) and option bytes: the merged one carries the
    /// later acknowledgement and its window (a pure ACK older than the queued one only adds its flags).
    /// </summary>
    private void AddToBacklog(Segment segment)
    {
        var backlog = _backlog ??= [];
        if (backlog.Count > 0 && backlog[^1] is var tail && CanCoalesce(tail, segment))
        {
            backlog[^1] = segment.Ack >= tail.Ack ? segment with { Flags = tail.Flags | segment.Flags } : tail with { Flags = tail.Flags | segment.Flags };
            return;
        }

        backlog.Add(segment);
    }

    private static bool CanCoalesce(Segment tail, Segment segment)
    {
        const TcpFlags never = TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Urg;
        return tail.SequenceLength == 0 && segment.SequenceLength == 0 && tail.Seq == segment.Seq
            && ((tail.Flags | segment.Flags) & never) == 0 && tail.HasAck && segment.HasAck
            && ((tail.Flags ^ segment.Flags) & (TcpFlags.Ece | TcpFlags.Cwr)) == 0
            && SameOptionBytes(tail.Options, segment.Options);
    }

    /// <summary>The options as bytes on the wire are the same (the header lengths too).</summary>
    private static bool SameOptionBytes(in TcpOptions a, in TcpOptions b) =>
        a.Mss == b.Mss && a.HasWindowScale == b.HasWindowScale && a.WindowScale == b.WindowScale
        && a.SackPermitted == b.SackPermitted && a.HasTimestamps == b.HasTimestamps && a.TsVal == b.TsVal && a.TsEcr == b.TsEcr
        && (a.SackBlocks ?? []).AsSpan().SequenceEqual(b.SackBlocks ?? []);

    /// <summary>
    /// sk_flush_backlog (__release_sock): the queued segments are processed in order, the writer still owning the
    /// socket (so nothing they free wakes it), then the write goes on from where it stopped.
    /// </summary>
    private void OnFlushBacklog()
    {
        if (_backlog is { Count: > 0 } backlog)
        {
            var segments = backlog.ToArray();
            backlog.Clear();
            foreach (var segment in segments)
            {
                if (_state is TcpState.Closed or TcpState.TimeWait)
                {
                    break;
                }

                OnSegment(segment);
            }
        }

        _ownedByWriter = false;
        RunDeferredPacedWrite();
        ServePendingSends();
    }

    private sealed record FlushBacklog
    {
        public static readonly FlushBacklog Instance = new();
    }
}
