namespace TcpActors.Reliability.Tests;

/// <summary>
/// TCP bugs these tests found and that still stand, each reproduced by a test in <see cref="KnownTcpBugTests"/>
/// skipped with the text of its constant here, and steered around by the generators until it is fixed. None
/// stands now: the six found so far (RTO recovery one segment per timeout, a small SO_RCVBUF dropping in-order
/// data, the receive-memory stall of slow readers, a FIN or a retransmission refused by OUTPUT, SACK blocks
/// pushing segments over the MTU) are fixed and their reproducers run as regression tests.
/// </summary>
public static class KnownTcpBugs
{
    /// <summary>
    /// Whether the tests steer around known bugs (the default), or expose them (TCPACTORS_KNOWN_BUGS=expose). The
    /// fuzzers use it for the input bugs of <see cref="KnownInputBugs"/>.
    /// </summary>
    public static bool SteerAround { get; } = !string.Equals(Environment.GetEnvironmentVariable("TCPACTORS_KNOWN_BUGS"), "expose", StringComparison.OrdinalIgnoreCase);
}
