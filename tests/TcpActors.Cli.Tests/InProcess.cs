namespace TcpActors.Cli.Tests;

/// <summary>The tcpactors command run in process: its exit status, standard output and standard error.</summary>
internal static class InProcess
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
