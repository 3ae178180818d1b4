using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The name "bbr" until BBR is modelled: Reno's window arithmetic, reached through a cong_control hook as BBR's is,
/// so that Linux's rules for such an algorithm apply (no RFC 2861 validation, three windows of send buffer from
/// sndbuf_expand). Its hook does what tcp_cong_control does without one: PRR in fast recovery, otherwise Reno's
/// growth when the ACK may raise the window. docs/fidelity.md says so.
/// </summary>
internal sealed class BbrStandIn : CongestionOps
{
    public static BbrStandIn Instance { get; } = new();

    public override string Name => "bbr";

    public override byte Key => 2;

    public override int Ssthresh(TcpSocket sk) => Reno.Instance.Ssthresh(sk);

    public override void CongAvoid(TcpSocket sk, SeqNum ack, int acked) => Reno.Instance.CongAvoid(sk, ack, acked);

    public override int UndoCwnd(TcpSocket sk) => Reno.UndoToPrior(sk);

    public override bool HasCongControl => true;

    public override void CongControl(TcpSocket sk, SeqNum ack, AckFlags flags, in RateSample rs) =>
        sk.WindowArithmetic(ack, rs.AckedSacked, flags, rs.Losses); // acked_sacked counts an ACKed SYN, which raises no window

    /// <summary>bbr_sndbuf_expand: 3.</summary>
    public override int SndbufExpand => 3;
}
