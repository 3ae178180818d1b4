using System.CommandLine;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary><c>tcpactors list</c>: the built-in scenarios, one per line, name first, then its description.</summary>
internal static class ListCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("list", "List the built-in scenarios (one per line: name, then what it shows).");
        command.SetAction(_ =>
        {
            var scenarios = BuiltInScenarios.Names.Select(BuiltInScenarios.Load).ToList();
            int width = scenarios.Max(s => s.Name.Length);
            foreach (var scenario in scenarios)
            {
                output.WriteLine($"{scenario.Name.PadRight(width)}  {scenario.Description}");
            }

            return Commands.Success;
        });
        return command;
    }
}
