using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>The invariants the checker watches, as named in its messages and in docs/reliability.md.</summary>
public static class Invariants
{
    /// <summary>A segment re-sent bytes it had already sent without being a retransmission or a netem duplicate.</summary>
    public const string SequenceBackwards = "seq-backwards";

    /// <summary>Bytes sent again at a stream offset differ from the bytes first sent there.</summary>
    public const string PayloadChanged = "payload-changed";

    /// <summary>A segment acknowledges sequence space its peer never sent.</summary>
    public const string AckBeyondSent = "ack-beyond-sent";

    /// <summary>A state change that RFC 9293 and Linux do not allow, or that does not start from the socket's state.</summary>
    public const string IllegalTransition = "illegal-transition";

    /// <summary>A TIME_WAIT lasted longer than 60 s after it was entered or last restarted.</summary>
    public const string TimeWaitOverstayed = "time-wait-overstayed";

    /// <summary>When everything is closed: a port still held, a socket or timewait left, an event still queued.</summary>
    public const string NotQuiescent = "not-quiescent";
}

/// <summary>One broken invariant: when, which, and a sentence precise enough to find the packet or socket.</summary>
public sealed record InvariantViolation(SimTime Time, string Invariant, string Message)
{
    public override string ToString() => $"t={Time} s [{Invariant}] {Message}";
}

/// <summary>A run broke an invariant; the message lists the violations.</summary>
public sealed class InvariantViolationException : Exception
{
    public InvariantViolationException()
    {
    }

    public InvariantViolationException(string message)
        : base(message)
    {
    }

    public InvariantViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
