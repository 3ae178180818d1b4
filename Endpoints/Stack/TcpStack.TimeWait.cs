using System.Runtime.CompilerServices;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>The TIME_WAIT side of the stack: entering, answering, reusing and expiring timewait sockets.</summary>
public sealed partial class TcpStack
{
    /// <summary>The timer message the TCP module actor receives when the earliest timewait is due.</summary>
    internal sealed class ExpireTimeWaits
    {
        public static readonly ExpireTimeWaits Instance = new();
    }

    /// <summary>
    /// tcp_time_wait: a closing socket becomes a timewait entry (if the table has room; otherwise it just
    /// closes and TCPTimeWaitOverflow is counted). The port stays held by the timewait.
    /// </summary>
    internal bool EnterTimeWait(FourTuple tuple, in TimeWaitEntry entry)
    {
        if (!TimeWaits.TryAdd(tuple, entry, Sysctls.TcpMaxTwBuckets, NowNanoseconds))
        {
            Counters.TimeWaitOverflow++;
            return false;
        }

        Binds.AddTimeWait(tuple.LocalPort, tuple.LocalAddress, entry.ReuseAddress);
        ArmTimeWaitTimer(entry.DeadlineNanoseconds);
        return true;
    }

    /// <summary>Called by the TCP module actor's timer: ends every timewait that is due.</summary>
    internal void OnTimeWaitTimer()
    {
        _timeWaitTimerDeadline = long.MaxValue;
        TimeWaits.ExpireDue(NowNanoseconds, _onTimeWaitExpired ??= OnTimeWaitExpired);

        if (TimeWaits.NextDeadline() is { } next)
        {
            ArmTimeWaitTimer(next);
        }
    }

    /// <summary>
    /// __inet_check_established for a connect() candidate: the 4-tuple must be unused; a TIME_WAIT holding it
    /// may be recycled when tcp_twsk_unique allows (then it is killed and the new socket inherits its
    /// sequence space and timestamps).
    /// </summary>
    internal TupleCheck CheckTupleForConnect(FourTuple tuple, TcpSocket connecting, bool explicitlyBound)
    {
        if (_connections.ContainsKey(tuple))
        {
            return TupleCheck.InUse;
        }

        ref var timeWait = ref TimeWaits.Find(tuple);
        if (Unsafe.IsNullRef(ref timeWait))
        {
            return TupleCheck.Unique;
        }

        if (!TimeWaitMayBeReused(tuple, in timeWait, explicitlyBound))
        {
            return TupleCheck.InUse;
        }

        var isn = timeWait.SndNxt + 65535 + 2;
        connecting.InheritFromTimeWait(isn.Value == 0 ? new SeqNum(1) : isn, timeWait.TsRecent, timeWait.TsRecentStampNanoseconds);
        KillTimeWait(tuple, "TIME_WAIT recycled by connect() (tcp_tw_reuse)");
        Counters.TimeWaitRecycled++;
        return TupleCheck.UniqueAfterRecyclingTimeWait;
    }

    /// <summary>tcp_twsk_unique (6.x): timestamps required; then an explicit bind always reuses, else tcp_tw_reuse and the delay decide.</summary>
    private bool TimeWaitMayBeReused(FourTuple tuple, in TimeWaitEntry entry, bool explicitlyBound)
    {
        if (!entry.HasTimestamps)
        {
            return false;
        }

        if (explicitlyBound)
        {
            return true;
        }

        int reuse = entry.Substate == TimeWaitSubstate.FinWait2 ? 0 : Sysctls.TcpTwReuse;
        if (reuse == 2 && !(tuple.RemoteAddress.IsLoopback || tuple.LocalAddress.IsLoopback))
        {
            reuse = 0;
        }

        long threshold = entry.EnteredNanoseconds + (Sysctls.TcpTwReuseDelay * 1_000_000L);
        return reuse != 0 && ClockMillisecondsAt(NowNanoseconds) > ClockMillisecondsAt(threshold);
    }

    private static long ClockMillisecondsAt(long nanoseconds) => nanoseconds / 1_000_000;

    private void ProcessTimeWait(FourTuple tuple, ref TimeWaitEntry entry, Segment segment)
    {
        var substateBefore = entry.Substate;
        // Every ACK a timewait sends carries R and the same window: it repeats the last one unless this
        // segment moved R (the FIN in the FIN_WAIT2 substate) or the socket left an ACK owed.
        bool repeatsLastAck = entry.AckedRcvNxt;
        var rcvNxtBefore = entry.RcvNxt;
        var outcome = TimeWaitDecision.Process(ref entry, segment, NowNanoseconds, Sysctls);
        if (entry.Substate != substateBefore)
        {
            TimeWaits.NoteBecameTimeWait();
            PublishStateChange(tuple, TcpState.FinWait2, TcpState.TimeWait, outcome.Reason);
        }

        if (outcome.RestartTimer)
        {
            TimeWaits.Reschedule(tuple, ref entry, NowNanoseconds + TimeWaitDecision.TimeWaitLengthNanoseconds, NowNanoseconds);
            ArmTimeWaitTimer(entry.DeadlineNanoseconds);
        }

        switch (outcome.Verdict)
        {
            case TimeWaitVerdict.Discard:
                Drop(segment, outcome.Reason);
                break;
            case TimeWaitVerdict.Ack:
                SendTimeWaitAck(tuple, ref entry, duplicate: repeatsLastAck && entry.RcvNxt == rcvNxtBefore);
                break;
            case TimeWaitVerdict.Reset:
                SendReset(segment);
                KillTimeWait(tuple, outcome.Reason);
                break;
            case TimeWaitVerdict.Kill:
                Counters.InResets += segment.IsRst ? 1 : 0;
                KillTimeWait(tuple, outcome.Reason);
                break;
            case TimeWaitVerdict.Syn when FindListener(segment.Destination, segment.DestinationPort, tuple) is { } listener:
                KillTimeWait(tuple, outcome.Reason);
                listener.DeliverSynAfterTimeWait(segment, outcome.NewIsn);
                break;
            case TimeWaitVerdict.Syn:
                SendTimeWaitAck(tuple, ref entry, duplicate: repeatsLastAck && entry.RcvNxt == rcvNxtBefore);
                break;
        }
    }

    /// <summary>Sends a timewait's ACK, marked as a duplicate ACK when it repeats the connection's last one.</summary>
    private void SendTimeWaitAck(FourTuple tuple, ref TimeWaitEntry entry, bool duplicate)
    {
        if (Transmit(TimeWaitAck(tuple, in entry, duplicate), retransmission: false) == SendStatus.Sent)
        {
            entry.AckedRcvNxt = true;
        }
    }

    private void KillTimeWait(FourTuple tuple, string reason)
    {
        if (TimeWaits.Remove(tuple, out var entry))
        {
            Counters.TimeWaitKilled++;
            Binds.RemoveTimeWait(tuple.LocalPort, tuple.LocalAddress, entry.ReuseAddress);
            PublishStateChange(tuple, entry.Substate == TimeWaitSubstate.TimeWait ? TcpState.TimeWait : TcpState.FinWait2, TcpState.Closed, reason);
        }
    }

    /// <summary>tcp_v4_timewait_ack: seq = tw_snd_nxt, ack = tw_rcv_nxt, the remaining window, timestamps.</summary>
    private Segment TimeWaitAck(FourTuple tuple, in TimeWaitEntry entry, bool duplicate) => new()
    {
        Source = tuple.LocalAddress,
        Destination = tuple.RemoteAddress,
        SourcePort = tuple.LocalPort,
        DestinationPort = tuple.RemotePort,
        Seq = entry.SndNxt,
        Ack = entry.RcvNxt,
        Flags = TcpFlags.Ack,
        Window = entry.WindowField,
        Options = entry.HasTimestamps ? TcpOptions.Timestamps(unchecked(ClockMilliseconds + entry.TsOffset), entry.TsRecent) : default,
        Ttl = (byte)Sysctls.IpDefaultTtl,
        DuplicateAck = duplicate,
    };

    private void OnTimeWaitExpired(FourTuple tuple, TimeWaitEntry entry)
    {
        Counters.TimeWaitExpired++;
        Binds.RemoveTimeWait(tuple.LocalPort, tuple.LocalAddress, entry.ReuseAddress);
        var state = entry.Substate == TimeWaitSubstate.TimeWait ? TcpState.TimeWait : TcpState.FinWait2;
        PublishStateChange(tuple, state, TcpState.Closed, state == TcpState.TimeWait ? "TIME_WAIT ended (60 s)" : "FIN_WAIT2 timed out (tcp_fin_timeout)");
    }

    /// <summary>
    /// Arms the one timewait timer for the earliest deadline, rounded up to the next jiffy: a kernel
    /// timer only fires on a tick (and Linux's timer wheel may add more), so every timewait due within
    /// one tick ends together, in one event, at most 4 ms after its exact deadline.
    /// </summary>
    private void ArmTimeWaitTimer(long deadline)
    {
        long tick = Jiffies.Nanoseconds;
        deadline = deadline <= long.MaxValue - tick ? (deadline + tick - 1) / tick * tick : deadline;
        if (deadline >= _timeWaitTimerDeadline || _managerTimers is null)
        {
            return;
        }

        _timeWaitTimerDeadline = deadline;
        _managerTimers.StartSingleTimer(ExpireTimeWaits.Instance, ExpireTimeWaits.Instance, new Runtime.Duration(Math.Max(0, deadline - NowNanoseconds)));
    }
}
