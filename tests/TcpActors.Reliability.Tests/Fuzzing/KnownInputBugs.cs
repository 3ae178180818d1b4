namespace TcpActors.Reliability.Tests;

/// <summary>
/// Crashes the fuzzers found in input handling and that are not fixed yet: none at present. When a fuzzer finds
/// one, add its text here as a constant, reproduce it with a test skipped with that text as the reason, and make
/// <see cref="Classify"/> recognise its contract violations, so that the fuzzers count it instead of failing while
/// it is open (TCPACTORS_KNOWN_BUGS=expose stops that). Fixed ones keep their reproducers in
/// <see cref="FixedInputBugTests"/> and its neighbours.
/// </summary>
public static class KnownInputBugs
{
    /// <summary>The known bug a contract violation is an instance of, or null for a new finding.</summary>
    public static string? Classify(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return null;
    }

    /// <summary>A short name for a known bug, for counts in the test output.</summary>
    public static string ShortName(string bug)
    {
        ArgumentNullException.ThrowIfNull(bug);
        return bug.Length > 40 ? bug[..40] : bug;
    }
}
