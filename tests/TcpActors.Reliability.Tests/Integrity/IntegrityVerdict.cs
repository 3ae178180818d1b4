using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The data-integrity property, judged on one run. Every connection ends in one of two ways: the
/// reader received exactly the bytes the writer wrote, in order, followed by end of stream; or an
/// error was reported to an application (ECONNRESET, ETIMEDOUT, EPIPE…) and what was received is a
/// prefix of what was written. Never a duplicated, reordered or invented byte; never a connection that
/// hangs with nobody told. Both directions of every connection are judged, with the simulation's
/// invariants and the harness's own sanity (no chaos command rejected, no limit hit).
/// </summary>
public static class IntegrityVerdict
{
    /// <summary>The errors an application may see from each call under network faults.</summary>
    private static readonly Dictionary<string, Errno[]> s_allowedErrors = new(StringComparer.Ordinal)
    {
        ["Connect"] = [Errno.ETIMEDOUT, Errno.ECONNREFUSED, Errno.ECONNRESET],
        ["Send"] = [Errno.EPIPE, Errno.ECONNRESET, Errno.ETIMEDOUT],
        ["Read"] = [Errno.ECONNRESET, Errno.ETIMEDOUT, Errno.EPIPE],
        ["pushed error"] = [Errno.ECONNRESET, Errno.ETIMEDOUT, Errno.EPIPE],
        ["Shutdown"] = [Errno.ENOTCONN],
    };

    /// <summary>Everything wrong with the run; empty when the property holds.</summary>
    public static List<string> Judge(IntegrityOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var failures = new List<string>();
        failures.AddRange(outcome.HarnessProblems.Select(p => "harness: " + p));
        foreach (var phase in new[] { ("faults", outcome.Faults), ("settle", outcome.Settle), ("cleanup", outcome.Cleanup) })
        {
            if (phase.Item2.HitLimit)
            {
                failures.Add($"the {phase.Item1} phase hit a safety limit: {phase.Item2.Message}");
            }
        }

        failures.AddRange(outcome.Invariants.Violations.Select(v => "invariant: " + v));
        if (outcome.Cleanup.Reason != StopReason.Interrupted && outcome.Cleanup.Reason != StopReason.ConditionMet && outcome.Invariants.ViolationCount == 0)
        {
            failures.Add($"cleanup did not drain the event queue: {outcome.Cleanup.Message}");
        }

        foreach (var connection in outcome.Connections)
        {
            JudgeConnection(connection, outcome.LostResets, outcome.TimedOut, failures);
        }

        return failures;
    }

    /// <summary>
    /// A reset is sent once and never retransmitted: when the one meant for <paramref name="reader"/> was
    /// lost, or refused on arrival (RFC 5961 answers an inexact one with a challenge ACK, itself losable),
    /// it cannot learn that its peer is gone and waits, half-open, as a real application would. The same
    /// holds when a firewall's REJECT reset its peer in its name. (This excuses a reader whose TCP wrongly
    /// ignores a good reset: RST acceptance is checked by the Endpoints tests, not here.)
    /// </summary>
    private static bool ResetLost(EndpointRecord reader, IReadOnlySet<(SocketAddress To, SocketAddress From)> lostResets) =>
        reader.Local is { } local && reader.Remote is { } remote && lostResets.Contains((local, remote));

    /// <summary>
    /// Whether <paramref name="endpoint"/>'s TCP gave up on the connection (ETIMEDOUT after its retransmissions
    /// or probes): that is an error on the connection even when the application never saw it, as when the
    /// peer's FIN was already queued (read first, then end of stream; close() returns 0). No reset is sent.
    /// </summary>
    private static bool GaveUp(EndpointRecord endpoint, IReadOnlySet<(SocketAddress Local, SocketAddress Remote)> timedOut) =>
        endpoint.Local is { } local && endpoint.Remote is { } remote && timedOut.Contains((local, remote));

    private static void JudgeConnection(ConnectionRecord connection, IReadOnlySet<(SocketAddress To, SocketAddress From)> lostResets, IReadOnlySet<(SocketAddress Local, SocketAddress Remote)> timedOut, List<string> failures)
    {
        string name = connection.Describe();
        foreach (var endpoint in new[] { connection.Client, connection.Server })
        {
            failures.AddRange(endpoint.Surprises.Select(s => $"{name}: {endpoint.Name}: {s}"));
            foreach (var (call, errno) in endpoint.Errors)
            {
                if (!s_allowedErrors.TryGetValue(call, out var allowed) || !allowed.Contains(errno))
                {
                    failures.Add($"{name}: {endpoint.Name}: {call} failed with {errno} ({errno.Describe()}), which network faults cannot explain");
                }
            }
        }

        if (connection.Server.Connected && !connection.Client.Connected)
        {
            failures.Add($"{name}: the server accepted a connection whose client never saw connect() succeed (client errors: {Errors(connection.Client)})");
        }

        bool errorReported = connection.Client.Errors.Count > 0 || connection.Server.Errors.Count > 0
            || GaveUp(connection.Client, timedOut) || GaveUp(connection.Server, timedOut);
        JudgeDirection(name, connection.Client, connection.Server, errorReported || ResetLost(connection.Server, lostResets), lostResets, failures);
        JudgeDirection(name, connection.Server, connection.Client, errorReported || ResetLost(connection.Client, lostResets), lostResets, failures);
    }

    private static void JudgeDirection(string name, EndpointRecord writer, EndpointRecord reader, bool errorReported, IReadOnlySet<(SocketAddress To, SocketAddress From)> lostResets, List<string> failures)
    {
        string direction = $"{name}, {writer.Name} -> {reader.Name}";
        var written = writer.Written;
        var received = reader.Received;
        int common = Math.Min(written.Count, received.Count);
        for (int i = 0; i < common; i++)
        {
            if (written[i] != received[i])
            {
                failures.Add($"{direction}: byte {i} received is 0x{received[i]:x2}, but 0x{written[i]:x2} was written there ({Where(written, received, i)})");
                return;
            }
        }

        if (received.Count > written.Count)
        {
            failures.Add($"{direction}: {received.Count} bytes received but only {written.Count} written (invented or duplicated bytes)");
            return;
        }

        if (reader.EndOfStream && received.Count != written.Count)
        {
            failures.Add($"{direction}: end of stream after {received.Count} of the {written.Count} bytes written, with no error (data lost silently)");
        }

        if (!reader.Connected && reader.Name.StartsWith("server", StringComparison.Ordinal))
        {
            // The handshake never completed on the server's side (the request socket was reset or timed out):
            // fine, unless the client wrote data into it, did not reset it itself, and was never told.
            bool clientReset = writer.Local is { } local && writer.Remote is { } remote && lostResets.Contains((remote, local));
            if (written.Count > 0 && writer.Errors.Count == 0 && !clientReset)
            {
                failures.Add($"{direction}: {writer.Name} wrote {written.Count} bytes and finished without an error, but the server never accepted the connection");
            }

            return;
        }

        if (reader.HungAtSettle is { } waiting && !errorReported)
        {
            failures.Add($"{direction}: {reader.Name} still waiting for {waiting} when the settle phase ended, with no error reported on the connection and no reset sent its way ({received.Count} of {written.Count} bytes received; {writer.Name} {(writer.HungAtSettle is null ? "finished" : "waiting for " + writer.HungAtSettle)})");
        }

        if (reader.HungAtSettle is null && reader.Connected && !reader.EndOfStream && !reader.ReadingAbandoned && reader.Errors.Count == 0)
        {
            failures.Add($"{direction}: {reader.Name} finished without end of stream, an error or closing early (harness bug?)");
        }
    }

    private static string Where(List<byte> written, List<byte> received, int offset)
    {
        // A shifted copy of the stream is the signature of a duplicated or dropped run of bytes.
        for (int shift = 1; shift <= 65536 && offset + shift < written.Count; shift++)
        {
            if (Matches(written, offset + shift, received, offset))
            {
                return $"the received stream skips {shift} bytes there";
            }

            if (offset >= shift && Matches(written, offset - shift, received, offset))
            {
                return $"the received stream repeats {shift} bytes there";
            }
        }

        return "not a simple skip or repeat";
    }

    private static bool Matches(List<byte> written, int writtenOffset, List<byte> received, int receivedOffset)
    {
        int length = Math.Min(32, Math.Min(written.Count - writtenOffset, received.Count - receivedOffset));
        for (int i = 0; i < length; i++)
        {
            if (written[writtenOffset + i] != received[receivedOffset + i])
            {
                return false;
            }
        }

        return length > 0;
    }

    private static string Errors(EndpointRecord endpoint) =>
        endpoint.Errors.Count == 0 ? "none" : string.Join(", ", endpoint.Errors.Select(e => $"{e.Call}: {e.Errno}"));
}
