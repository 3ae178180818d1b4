using System.CommandLine;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>
/// --check-invariants on <c>run</c> and <c>load</c>: watches the run with the <see cref="InvariantChecker"/>
/// (sequence numbers never go backwards, re-sent bytes unchanged, ACKs only for data sent, legal state transitions,
/// TIME_WAIT no longer than 60 s; docs/reliability.md). The run goes on after a violation, so that its summary is
/// whole; the violations are printed after it and the exit status is 1.
/// </summary>
internal sealed class InvariantWatch(bool enabled, bool attachedMidRun) : IDisposable
{
    private InvariantChecker? _checker;

    /// <summary>
    /// The hook that attaches a checker, or null when not asked for. With <c>attachedMidRun</c> the hook is LoadRunner's
    /// (called once the servers listen), so a socket's first event is taken as its starting point.
    /// </summary>
    public Action<ActorSystem>? Attach => enabled
        ? system => _checker = new InvariantChecker(system, stopOnViolation: false, attachedMidRun: attachedMidRun)
        : null;

    public static Option<bool> CreateOption() => new("--check-invariants")
    {
        Description = "Check TCP's invariants during the run (sequence numbers, re-sent bytes, ACKs, state transitions, TIME_WAIT length; docs/reliability.md): print what was checked, and on a violation print it and exit 1.",
    };

    /// <summary>The end-of-run checks and the outcome, or null when no checker ran.</summary>
    public InvariantOutcome? Finish()
    {
        if (_checker is not { } checker)
        {
            return null;
        }

        checker.Finish();
        return new InvariantOutcome(checker.ViolationCount, checker.Describe());
    }

    public void Dispose() => _checker?.Dispose();
}

/// <summary>What the invariant checker found: the number of violations and its description (one line, or one per violation).</summary>
internal sealed record InvariantOutcome(long Violations, string Description)
{
    public bool Broken => Violations > 0;
}
