using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>A socket changed state: <c>OLD => NEW</c>, with the reason, as the one writer of the state publishes it.</summary>
public sealed record TcpStateChanged(SimTime Time, string HostName, FourTuple Tuple, TcpState From, TcpState To, string Reason);

/// <summary>What kind of retransmission happened.</summary>
public enum RetransmissionKind : byte
{
    /// <summary>The retransmission timer fired.</summary>
    Timeout,

    /// <summary>RACK-TLP's tail loss probe.</summary>
    LossProbe,

    /// <summary>Three duplicate ACKs (or SACK) showed a loss.</summary>
    Fast,

    /// <summary>A SYN re-sent by the connect timer.</summary>
    Syn,

    /// <summary>A SYN-ACK re-sent by a request socket (its timer, or in answer to a repeated SYN).</summary>
    SynAck,
}

/// <summary>A segment was sent again.</summary>
public sealed record TcpRetransmitted(SimTime Time, string HostName, FourTuple Tuple, SeqNum Seq, int Length, RetransmissionKind Kind);

/// <summary>A socket reported an error to its application (connect failed, reset, timeout).</summary>
public sealed record TcpSocketError(SimTime Time, string HostName, FourTuple Tuple, Errno Errno, string Reason);

/// <summary>A connect() failed before any packet went out (EADDRNOTAVAIL, ENETUNREACH…).</summary>
public sealed record TcpConnectRefusedLocally(SimTime Time, string HostName, SocketAddress Remote, Errno Errno);
