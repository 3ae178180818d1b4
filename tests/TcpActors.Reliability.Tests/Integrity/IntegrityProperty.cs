using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace TcpActors.Reliability.Tests;

/// <summary>Runs a case and turns a broken property into an exception that says everything needed to replay it.</summary>
public static class IntegrityProperty
{
    /// <summary>The environment variable holding a case (JSON, or a path to a JSON file) to replay.</summary>
    public const string CaseVariable = "TCPACTORS_CASE";

    /// <summary>Runs <paramref name="plan"/> and throws <see cref="IntegrityException"/> if the property does not hold.</summary>
    public static IntegrityOutcome Check(IntegrityCase plan)
    {
        IntegrityOutcome outcome;
        try
        {
            outcome = IntegrityRun.Execute(plan);
        }
        catch (Exception crash) when (crash is not IntegrityException)
        {
            throw new IntegrityException($"the run crashed: {crash.GetType().Name}: {crash.Message}\n{Replay(plan)}", crash);
        }

        var failures = IntegrityVerdict.Judge(outcome);
        if (failures.Count > 0)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{failures.Count} problem(s):");
            foreach (var failure in failures.Take(20))
            {
                text.Append("\n  - ").Append(failure);
            }

            text.Append('\n').Append(Replay(plan));
            throw new IntegrityException(text.ToString());
        }

        return outcome;
    }

    public static string Replay(IntegrityCase plan) =>
        $"replay: {CaseVariable}='{plan.ToJson()}' dotnet test tests/TcpActors.Reliability.Tests --filter Replays_the_case_in_TCPACTORS_CASE";

    /// <summary>
    /// Checks <paramref name="count"/> generated cases from FsCheck's random seed (<paramref name="seed"/>,
    /// <paramref name="gamma"/>); on failure FsCheck shrinks the case and the exception names the seed, the
    /// original and the shrunk case.
    /// </summary>
    public static void CheckMany(Arbitrary<IntegrityCase> cases, int count, ulong seed, ulong gamma, Action<string>? log = null)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithMaxRejected(count)
            .WithParallelRunConfig(null)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma), FSharpOption<int>.None)));
        var clock = Stopwatch.StartNew();
        int runs = 0;
        try
        {
            FsCheck.Check.One(config, Prop.ForAll(cases, plan =>
            {
                runs++;
                Check(plan);
            }));
        }
        catch (Exception failure) when (failure is not IntegrityException)
        {
            throw new IntegrityException($"FsCheck seed ({seed}, {gamma}) failed after {runs} runs (replay every case of this check with TCPACTORS_FSCHECK_SEED={seed},{gamma}):\n{failure.Message}", failure);
        }

        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{runs} cases from FsCheck seed ({seed}, {gamma}) in {clock.Elapsed.TotalSeconds:F1} s"));
    }
}

/// <summary>The data-integrity property failed for a case; the message holds the case and how to replay it.</summary>
public sealed class IntegrityException : Exception
{
    public IntegrityException()
    {
    }

    public IntegrityException(string message)
        : base(message)
    {
    }

    public IntegrityException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
