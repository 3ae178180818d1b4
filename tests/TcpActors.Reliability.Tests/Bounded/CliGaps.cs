namespace TcpActors.Reliability.Tests;

/// <summary>What the CLI lacks for bounded runs (Cli/ is owned elsewhere); each is the skip reason of a test that shows it.</summary>
public static class CliGaps
{
    public const string CtrlC =
        "CLI gap: no Ctrl-C handling. Program.cs calls Commands.Run without hooking Console.CancelKeyPress (or PosixSignalRegistration " +
        "for SIGINT/SIGTERM), so SIGINT during `tcpactors load --json F` kills the process with exit 130: no summary on stdout, no JSON, " +
        "and for `run --pcap/--trace` no flush. Needed: on the first Ctrl-C call ActorSystem.RequestStop() (set Cancel = true), let " +
        "LoadRunner/ScenarioRunner return their report (Run.Reason == Interrupted), print it, write --json/--pcap/--trace, exit 130; " +
        "a second Ctrl-C may exit at once";
}
