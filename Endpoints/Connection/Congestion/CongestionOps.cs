using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// A congestion control algorithm, shaped like Linux's struct tcp_congestion_ops (include/net/tcp.h). One stateless
/// instance per algorithm serves every socket; what an algorithm keeps per connection (icsk_ca_priv) lives in
/// <see cref="TcpSocket.CaPriv"/>, which the algorithm makes and casts itself (it may make it late, at first use,
/// so that an idle connection pays nothing). The socket calls the hooks where Linux does:
/// <list type="bullet">
/// <item><see cref="Init"/>: tcp_init_congestion_control, when the connection is established (tcp_init_transfer) or
/// the algorithm is changed on a connected socket (TCP_CONGESTION, tcp_reinit_congestion_control).</item>
/// <item><see cref="Ssthresh"/>: the new ssthresh when a reduction starts (tcp_init_cwnd_reduction) or an RTO cuts
/// the window (tcp_enter_loss).</item>
/// <item><see cref="CongAvoid"/>: from tcp_cong_avoid, for an ACK that may raise the window outside fast recovery,
/// with the segments newly delivered; tcp_cong_avoid stamps snd_cwnd_stamp afterwards.</item>
/// <item><see cref="SetState"/>: before icsk_ca_state changes (tcp_set_ca_state).</item>
/// <item><see cref="CwndEvent"/>: the events of <see cref="CaEvent"/> (tcp_ca_event).</item>
/// <item><see cref="PktsAcked"/>: at the end of tcp_clean_rtx_queue for every ACK processed with data
/// outstanding, with the RTT sample (before loss recovery and tcp_cong_control see the ACK).</item>
/// <item><see cref="UndoCwnd"/>: the window a spurious reduction goes back to (tcp_undo_cwnd_reduction).</item>
/// <item><see cref="CongControl"/> (when <see cref="HasCongControl"/>): replaces tcp_cong_control's own
/// reduction/growth for algorithms that set the window and pacing themselves (BBR). Linux also skips the RFC 2861
/// rules (tcp_cwnd_validate's tcp_cwnd_application_limited, tcp_slow_start_after_idle_check), PRR
/// (tcp_cwnd_reduction, also after a RACK reordering timeout), the end of a reduction at ssthresh
/// (tcp_end_cwnd_reduction returns at once) and tcp_update_pacing_rate for them, and so does the simulator.</item>
/// <item><see cref="SndbufExpand"/>: the windows of send buffer tcp_sndbuf_expand reserves (2 unless the algorithm
/// says otherwise).</item>
/// <item><see cref="MinTsoSegs"/>: min_tso_segs, the fewest segments tcp_tso_autosize gives a GSO packet (null:
/// the sysctl tcp_min_tso_segs).</item>
/// <item><see cref="Info"/>: get_info, the algorithm's block of ss -i (INET_DIAG_BBRINFO).</item>
/// <item><see cref="Release"/>: release, from tcp_cleanup_congestion_control, when the socket is destroyed or changes
/// algorithm; the per-connection state is given up (here: given back to the host's spares, as the kernel frees
/// the socket that holds icsk_ca_priv).</item>
/// </list>
/// in_ack_event is not modelled.
/// </summary>
internal abstract class CongestionOps
{
    /// <summary>The algorithms, indexed by <see cref="Key"/>; the names tcp_available_congestion_control lists here.</summary>
    private static readonly CongestionOps[] ByKey = [Reno.Instance, Cubic.Instance, Bbr.Instance];

    /// <summary>The available names, space separated (as /proc/sys/net/ipv4/tcp_available_congestion_control).</summary>
    public static string AvailableNames { get; } = string.Join(' ', ByKey.Select(ops => ops.Name));

    /// <summary>The name TCP_CONGESTION and net.ipv4.tcp_congestion_control use.</summary>
    public abstract string Name { get; }

    /// <summary>This algorithm's index (what a socket stores: one byte rather than a reference).</summary>
    public abstract byte Key { get; }

    /// <summary>The algorithm of a key.</summary>
    public static CongestionOps Of(byte key) => ByKey[key];

    /// <summary>tcp_ca_find: the algorithm of a name, or null (setsockopt answers ENOENT).</summary>
    public static CongestionOps? Find(string name)
    {
        foreach (var ops in ByKey)
        {
            if (ops.Name == name)
            {
                return ops;
            }
        }

        return null;
    }

    /// <summary>init: the per-connection state starts afresh.</summary>
    public virtual void Init(TcpSocket sk) => sk.CaPriv = null;

    /// <summary>release: the socket is destroyed or leaves this algorithm; its per-connection state is dropped.</summary>
    public virtual void Release(TcpSocket sk) => sk.CaPriv = null;

    /// <summary>ssthresh: the slow-start threshold after a loss, from the window now.</summary>
    public abstract int Ssthresh(TcpSocket sk);

    /// <summary>cong_avoid: grow the window for <paramref name="acked"/> newly delivered segments.</summary>
    public abstract void CongAvoid(TcpSocket sk, SeqNum ack, int acked);

    /// <summary>set_state: the connection's congestion state is about to become <paramref name="newState"/>.</summary>
    public virtual void SetState(TcpSocket sk, CongestionState newState)
    {
    }

    /// <summary>cwnd_event.</summary>
    public virtual void CwndEvent(TcpSocket sk, CaEvent caEvent)
    {
    }

    /// <summary>pkts_acked: an ACK was processed (its RTT sample, if any).</summary>
    public virtual void PktsAcked(TcpSocket sk, in AckSample sample)
    {
    }

    /// <summary>undo_cwnd: the window to return to when a reduction proves spurious.</summary>
    public abstract int UndoCwnd(TcpSocket sk);

    /// <summary>Whether the algorithm has a cong_control hook (and so replaces tcp_cong_control's window arithmetic).</summary>
    public virtual bool HasCongControl => false;

    /// <summary>cong_control: the whole window (and pacing) decision for an ACK; only called when <see cref="HasCongControl"/>.</summary>
    public virtual void CongControl(TcpSocket sk, SeqNum ack, AckFlags flags, in RateSample rs) =>
        throw new InvalidOperationException($"{Name} has no cong_control hook");

    /// <summary>sndbuf_expand: how many congestion windows of memory tcp_sndbuf_expand asks for.</summary>
    public virtual int SndbufExpand => 2;

    /// <summary>min_tso_segs: the fewest segments a GSO packet gets, or null for net.ipv4.tcp_min_tso_segs.</summary>
    public virtual int? MinTsoSegs(TcpSocket sk) => null;

    /// <summary>get_info: the algorithm's own block for ss -i, or null when it reports none.</summary>
    public virtual BbrInfo? Info(TcpSocket sk) => null;
}
