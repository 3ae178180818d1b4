using System.CommandLine;
using TcpActors.Network;

namespace TcpActors.Cli;

/// <summary><c>tcpactors sysctls</c>: every supported sysctl with its Linux default, as <c>sysctl -a</c> prints them.</summary>
internal static class SysctlsCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("sysctls", "List the net.* sysctls the simulator models, with their Linux defaults.");
        command.SetAction(_ =>
        {
            var defaults = new Sysctls();
            foreach (var name in SysctlRegistry.Names)
            {
                output.WriteLine($"{name} = {SysctlRegistry.Get(defaults, name)}");
            }

            return Commands.Success;
        });
        return command;
    }
}
