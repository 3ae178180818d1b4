namespace TcpActors.Reliability.Tests;

/// <summary>
/// Crashes the fuzzers found in input handling, each reproduced by a skipped test whose reason is the text
/// here. The in-process fuzzers steer around them (a stack overflow kills the test host, and with it the
/// report of every other test); TCPACTORS_KNOWN_BUGS=expose stops steering.
/// </summary>
public static class KnownInputBugs
{
    public const string DeepNestingStackOverflow =
        "Scenario loader bug: a scenario file nested deeper than the stack allows (17,000 '{a: ' or 40,000 '[' in the CLI's main thread, " +
        "a 100 kB file; fewer on smaller thread stacks) kills the process with a stack overflow in YamlDotNet's recursive " +
        "YamlStream.Load (exit 134, 'Stack overflow.' and a stack trace on stderr) instead of exit 2 with file:line:col. " +
        "ScenarioLoader.Load should bound the depth before building the node tree (walk the Parser's events iteratively, " +
        "reject deeper than, say, 64 levels at the offending mark)";

    public const string YamlScannerCrash =
        "Scenario loader bug: YamlDotNet throws exceptions other than YamlException on some malformed YAML - InvalidOperationException " +
        "from its scanner for 'a: {b' then 'c: d' (an unclosed flow mapping before a block key), ArgumentException ('The current event " +
        "is of an unsupported type') for '? :' then an indented empty line - and ScenarioLoader.Load catches YamlException only: " +
        "`tcpactors run` dies with 'Unhandled exception' and a stack trace, exit 134. Catch every exception of YamlStream.Load as " +
        "'not valid YAML' at the last mark reached; Commands.Run should also turn any unexpected exception into exit 3 with one line";

    public const string RawInputInMessages =
        "Input bug (scenario loader and chaos parsers): messages quote the offending text raw and whole (YamlReading.Found, every " +
        "\"not '{text}'\" message, ChaosParseException's 'got \"...\"'): a value holding a line break or a CR (any line of a CRLF file " +
        "handed to the chaos parser: 'Illegal \"loss percent\" ... got \"1%\\r\"') gives a message of several lines, control characters and " +
        "ANSI escapes reach the terminal, and a 100 kB value gives a 100 kB message. Quote with escapes (\\r, \\n, \\u001b...) and cut " +
        "after some 60 characters";

    public const string InvalidHostNameEscapesRunner =
        "Scenario runner bug: the loader accepts any host name ('...', '-a', '--@a', names with spaces or odd unicode) but " +
        "TopologyBuilder.AddHost rejects it with TopologyException, which ScenarioRunner.BuildTopology lets escape (its try covers " +
        "Build() only): `tcpactors run` dies with 'Unhandled exception' and a stack trace, exit 134. The loader should check host " +
        "names with the builder's rule at the key's file:line:col";

    public const string ScriptUsesSocketOfFailedCall =
        "Scenario runner bug: when 'sock = connect(...)' fails (ECONNREFUSED, ETIMEDOUT...), sock is never assigned and the next " +
        "call on it (close(sock)) throws KeyNotFoundException in ScriptedApplication: the run ends as an internal error (exit 3, " +
        "'please report it'). A real program would pass -1 and get EBADF; the runner should log the call as failed with EBADF and go on";

    public const string LinkNameCrashesChaosActor =
        "Scenario runner bug: a link-down or link-up step that names no link ('link-down: a', a single host, or two hosts with no link " +
        "between them) passes the loader, then ScenarioRunner's TopologyLinks.SetUp throws InvalidOperationException inside the chaos " +
        "actor (ChaosActor.SetLink does not catch it): the run ends as an internal error, exit 3. The loader should check link names " +
        "against the links (file:line:col), and ChaosActor.SetLink should turn a failure into a rejected command";

    /// <summary>The known bug a contract violation is an instance of, or null for a new finding.</summary>
    public static string? Classify(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!KnownTcpBugs.SteerAround)
        {
            return null;
        }

        if (problem.StartsWith("ScenarioLoader.Load threw", StringComparison.Ordinal) && problem.Contains("at YamlDotNet.", StringComparison.Ordinal))
        {
            return YamlScannerCrash;
        }

        if (problem.Contains("/user/chaos failed while handling message SetLinkState", StringComparison.Ordinal))
        {
            return LinkNameCrashesChaosActor;
        }

        if (problem.Contains("threw TopologyException: invalid host name", StringComparison.Ordinal))
        {
            return InvalidHostNameEscapesRunner;
        }

        if (problem.Contains("threw ActorFailureException", StringComparison.Ordinal) && problem.Contains("KeyNotFoundException", StringComparison.Ordinal) && problem.Contains("/user/app-", StringComparison.Ordinal))
        {
            return ScriptUsesSocketOfFailedCall;
        }

        return problem.Contains("a message of several lines", StringComparison.Ordinal) || problem.Contains("an overlong message", StringComparison.Ordinal)
            ? RawInputInMessages
            : null;
    }

    /// <summary>A short name for a known bug, for counts in the test output.</summary>
    public static string ShortName(string bug) => bug switch
    {
        DeepNestingStackOverflow => "deep-nesting-stack-overflow",
        YamlScannerCrash => "yaml-scanner-crash",
        RawInputInMessages => "raw-input-in-messages",
        InvalidHostNameEscapesRunner => "invalid-host-name-escapes-runner",
        ScriptUsesSocketOfFailedCall => "script-uses-socket-of-failed-call",
        LinkNameCrashesChaosActor => "link-name-crashes-chaos-actor",
        _ => bug.Length > 40 ? bug[..40] : bug,
    };

    /// <summary>The deepest nesting the in-process fuzzers generate while <see cref="DeepNestingStackOverflow"/> stands.</summary>
    public static int MaxNesting => KnownTcpBugs.SteerAround ? 1000 : 40_000;
}
