using BenchmarkDotNet.Running;
using TcpActors.Benchmarks;

// Whole-run measurements take a first argument: lifecycles, established, timewait, library.
// Anything else goes to BenchmarkDotNet (e.g. --filter '*RuntimeBenchmarks*').
if (args.Length > 0 && WholeRuns.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
