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

    public const string CliEmptyDistribution =
        "CLI bug: an empty --request-bytes, --response-bytes, --think-time or --service-time ('' from a script's empty variable) " +
        "makes Distribution.Parse (Simulation/Load/SizeDistribution.cs) call IndexOf with a start past the end: " +
        "ArgumentOutOfRangeException escapes, the process dies with 'Unhandled exception' and a stack trace, exit 134";

    public const string CliPcapPath =
        "CLI bug: `tcpactors run S --pcap DIR` (a directory) or `--pcap ''` lets UnauthorizedAccessException or ArgumentException escape " +
        "from PcapWriter.Create (RunCommand.Execute catches IOException only, while --trace and --json catch all four kinds): exit 134 " +
        "with a stack trace. (And an IOException there says 'cannot write output: ...' without naming --pcap.)";

    public const string CliParseErrorsNotClear =
        "CLI bug: System.CommandLine's own parse errors reach stderr as they are: a value outside AcceptOnlyFromAmong gives " +
        "'Argument 'x' not recognized. Must be one of:' followed by one tab-indented line per choice (several lines, not 'tcpactors: '), " +
        "and a number that does not parse gives 'Cannot parse argument '１' for option '--seed' as expected type " +
        "'System.Nullable`1[System.UInt64]'' (a .NET type name). Commands.Run should rewrite them as one line naming the option and the choices";

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

        if (problem.Contains("Distribution.Parse", StringComparison.Ordinal))
        {
            return CliEmptyDistribution;
        }

        if (problem.Contains("PcapWriter.Create", StringComparison.Ordinal))
        {
            return CliPcapPath;
        }

        if (problem.StartsWith("a .NET type name on stderr", StringComparison.Ordinal) || (problem.StartsWith("exit 2 without clear", StringComparison.Ordinal) && problem.Contains("Must be one of:", StringComparison.Ordinal)))
        {
            return CliParseErrorsNotClear;
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
        CliEmptyDistribution => "cli-empty-distribution",
        CliPcapPath => "cli-pcap-path",
        CliParseErrorsNotClear => "cli-parse-errors-not-clear",
        _ => bug.Length > 40 ? bug[..40] : bug,
    };

    /// <summary>
    /// The deepest nesting the in-process fuzzers generate, even with TCPACTORS_KNOWN_BUGS=expose: deeper inputs may overflow
    /// the stack and kill the test host, so <see cref="DeepNestingStackOverflow"/> is tried in a child process only.
    /// </summary>
    public const int MaxNesting = 1000;
}
