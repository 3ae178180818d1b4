using System.CommandLine;
using TcpActors.Chaos;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>
/// The tcpactors command line. Exit codes: 0 success (every expectation passed), 1 the run failed
/// (an expectation failed or a safety limit was hit), 2 bad input (unknown option, bad scenario file,
/// bad value), 3 an internal error (an actor threw: a bug to report, printed with the seed to replay it).
/// </summary>
public static class Commands
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    public const int InternalError = 3;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return Parse(args, output, error);
        }
        catch (ScenarioException problem)
        {
            error.WriteLine("tcpactors: " + InputText.OneLine(problem.Message));
            return BadInput;
        }
        catch (UsageException problem)
        {
            error.WriteLine("tcpactors: " + InputText.OneLine(problem.Message));
            return BadInput;
        }
#pragma warning disable CA1031 // The last line of defence: whatever escapes is a bug, reported in one line, exit 3.
        catch (Exception crash) when (crash is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            error.WriteLine("tcpactors: internal error (please report it, with the command line): " + InputText.OneLine(crash.Message.Split('\n')[0])
                + (Debugging ? "" : " (TCPACTORS_DEBUG=1 shows where)"));
            if (Debugging)
            {
                error.WriteLine(crash);
            }

            return InternalError;
        }
    }

    /// <summary>
    /// The exit status of a run that finished: 130 when interrupted (Ctrl-C), 1 when a limit stopped it, an expectation
    /// failed or an invariant was broken, else 0.
    /// </summary>
    internal static int Outcome(Runtime.RunResult run, bool expectationsHold, InvariantOutcome? invariants)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Reason == Runtime.StopReason.Interrupted ? Interruption.ExitCode
            : run.HitLimit || !expectationsHold || invariants is { Broken: true } ? RunFailed
            : Success;
    }

    /// <summary>TCPACTORS_DEBUG=1: an internal error also prints the exception with its stack trace.</summary>
    private static bool Debugging => Environment.GetEnvironmentVariable("TCPACTORS_DEBUG") == "1";

    private static int Parse(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("TcpActors: Linux TCP under network faults, simulated. See README.md.");
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(LoadCommand.Create(output, error));
        root.Subcommands.Add(ListCommand.Create(output));
        root.Subcommands.Add(SysctlsCommand.Create(output));
        if (EmptyEqualsValue(args) is { } empty)
        {
            // System.CommandLine would take the next word as the value ('--seed= 5' means --seed 5, and
            // '--seed= --pcap x' gives --seed the word '--pcap'): refuse it instead of guessing.
            error.WriteLine($"tcpactors: {empty}: no value after '=' (write {empty}=VALUE or {empty} VALUE)");
            error.WriteLine("Try 'tcpactors --help'.");
            return BadInput;
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in ParseErrors.Describe(parsed))
            {
                error.WriteLine("tcpactors: " + problem);
            }

            error.WriteLine("Try 'tcpactors --help'.");
            return BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
    /// <summary>The first option written as '--name=' with nothing after the '=', before any '--' separator.</summary>
    private static string? EmptyEqualsValue(string[] args)
    {
        foreach (string arg in args)
        {
            if (arg == "--")
            {
                return null;
            }

            if (arg.Length > 1 && arg[0] == '-' && arg.IndexOf('=', StringComparison.Ordinal) == arg.Length - 1)
            {
                return arg[..^1];
            }
        }

        return null;
    }
}

/// <summary>A command-line value was wrong; the message names the option.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
