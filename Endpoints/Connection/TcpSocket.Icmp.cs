using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// ICMP errors about segments this socket sent (tcp_v4_err in net/ipv4/tcp_ipv4.c, RFC 1122 4.2.3.9 and RFC 6069).
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>When the application's last call on this socket ran (virtual nanoseconds; -1 before any).</summary>
    private long _systemCallAt = -1;

    /// <summary>
    /// sock_owned_by_user at the arrival of a reply: the simulator's calls take no time, Linux's run for tens of
    /// microseconds holding the socket, and on a path as fast as a veth pair the answer to the segment a call sent
    /// comes back before the call returns (the whole round trip runs in the softirq the send raised). An answer at
    /// the very instant of a call stands for that case; one a link delay later arrives after the call.
    /// </summary>
    private bool OwnedByUser => _systemCallAt == _stack.NowNanoseconds;

    /// <summary>
    /// tcp_v4_err: a request socket is dropped silently by a net or host unreachable for its SYN-ACK
    /// (tcp_req_err); otherwise the quoted sequence number must lie in [snd_una, snd_nxt]; a net or host
    /// unreachable may undo the last backoff (tcp_ld_RTO_revert); an opening socket then fails with the
    /// error, unless the application holds it (then, and in every synchronized state, the error is only kept
    /// as the soft error that a later timeout reports instead of ETIMEDOUT). ICMP errors are not backlogged.
    /// </summary>
    private void OnIcmp(IcmpPacket icmp)
    {
        var seq = icmp.Quoted.Seq;
        bool unreachable = icmp.Code is IcmpUnreachableCode.NetUnreachable or IcmpUnreachableCode.HostUnreachable;
        if (_state == TcpState.SynReceived && _listener is not null)
        {
            OnRequestIcmp(seq, unreachable);
            return;
        }

        if (_state is TcpState.Closed or TcpState.Listen or TcpState.TimeWait)
        {
            return;
        }

        if (seq < _sndUna || seq > _sndNxt)
        {
            _stack.Counters.OutOfWindowIcmps++;
            return;
        }

        bool owned = OwnedByUser;
        if (owned)
        {
            _stack.Counters.LockDroppedIcmps++;
        }

        var errno = ErrnoOf(icmp.Code);
        if (unreachable && !owned)
        {
            RevertRtoBackoff(seq);
            if (_state == TcpState.Closed)
            {
                return;
            }
        }

        if (_state is TcpState.SynSent or TcpState.SynReceived && !owned)
        {
            _stack.Counters.AttemptFails++;
            Done(errno, "ICMP " + icmp.Code);
            return;
        }

        _softError = errno;
    }

    /// <summary>tcp_req_err: only an error quoting the SYN-ACK's own sequence number counts; an unreachable drops the request.</summary>
    private void OnRequestIcmp(SeqNum seq, bool unreachable)
    {
        if (seq != _iss)
        {
            _stack.Counters.OutOfWindowIcmps++;
        }
        else if (unreachable)
        {
            _stack.Counters.ListenDrops++;
            Done(Errno.None, "ICMP unreachable for the SYN-ACK: request dropped");
        }
    }

    /// <summary>
    /// tcp_ld_RTO_revert (RFC 6069): an unreachable quoting snd_una after an RTO retransmission says the segment was
    /// not lost to congestion, so one doubling is undone: the RTO is recomputed with one backoff less and counted
    /// from the segment's last transmission; if that time has passed, the retransmission happens now.
    /// </summary>
    private void RevertRtoBackoff(SeqNum seq)
    {
        if (seq != _sndUna || _retransmits == 0 || _backoff == 0 || _inFlight.Count == 0)
        {
            return;
        }

        _backoff--;
        long baseRto = _rtt.HasSample ? _rtt.RtoNanoseconds : Jiffies.TimeoutInit;
        _rto = Math.Min(baseRto << Math.Min(_backoff, 30), Jiffies.RtoMax);
        long remaining = _rto - Jiffies.RoundUp(_stack.NowNanoseconds - _inFlight[0].SentAt);
        if (remaining > 0)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, remaining);
        }
        else
        {
            CancelTimer(TimerExpired.Retransmit);
            _retransmitMode = RetransmitTimerMode.None;
            OnRetransmitTimeout();
        }
    }

    /// <summary>icmp_err_convert: the errno a destination-unreachable code stands for.</summary>
    private static Errno ErrnoOf(IcmpUnreachableCode code) => code switch
    {
        IcmpUnreachableCode.PortUnreachable => Errno.ECONNREFUSED,
        IcmpUnreachableCode.NetUnreachable or IcmpUnreachableCode.NetProhibited => Errno.ENETUNREACH,
        IcmpUnreachableCode.ProtocolUnreachable => Errno.ENOPROTOOPT,
        _ => Errno.EHOSTUNREACH,
    };
}
