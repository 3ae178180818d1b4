namespace TcpActors.Endpoints;

/// <summary>
/// enum tcp_ca_event (include/net/tcp.h): what the socket tells its congestion control through cwnd_event, besides
/// ACKs and state changes. The ECN events (CA_EVENT_ECN_NO_CE, CA_EVENT_ECN_IS_CE) are not modelled.
/// </summary>
internal enum CaEvent : byte
{
    /// <summary>CA_EVENT_TX_START: a data segment leaves while nothing is in flight (tcp_event_data_sent).</summary>
    TxStart,

    /// <summary>CA_EVENT_CWND_RESTART: the window restarts after idleness (tcp_cwnd_restart).</summary>
    CwndRestart,

    /// <summary>CA_EVENT_COMPLETE_CWR: a window reduction (fast recovery) has ended (tcp_end_cwnd_reduction).</summary>
    CompleteCwr,

    /// <summary>CA_EVENT_LOSS: an RTO cut ssthresh (tcp_enter_loss).</summary>
    Loss,
}
