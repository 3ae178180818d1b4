using System.Xml.Linq;
using TcpActors.Cli;

namespace TcpActors.Reports.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tcpactors-report-");

    [Fact]
    public void Run_writes_the_html_report_and_the_svg_beside_its_usual_output()
    {
        // Proves `tcpactors run NAME --report FILE --svg FILE` writes both files and still prints the run.
        string html = Path.Combine(_directory.FullName, "seed-000.html");
        string svg = Path.Combine(_directory.FullName, "seed-000.svg");
        var (code, output, error) = Cli("run", "seed-000-fin-to-time-wait", "--report", html, "--svg", svg);

        Assert.True(code == Commands.Success, error);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Equal("svg", XDocument.Load(svg).Root!.Name.LocalName);
    }

    [Fact]
    public void Load_writes_the_html_report()
    {
        // Proves `tcpactors load … --report FILE` writes the charts.
        string html = Path.Combine(_directory.FullName, "load.html");
        var (code, _, error) = Cli("load", "--rate", "50", "--duration", "2s", "--drain", "1s", "--quiet", "--report", html);

        Assert.True(code == Commands.Success, error);
        Assert.Contains("Ephemeral ports in use", File.ReadAllText(html), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unwritable_report_path_is_bad_input_naming_the_option()
    {
        // Proves a report that cannot be written is reported as a usage error (exit 2) naming --report, not a stack trace.
        string html = Path.Combine(_directory.FullName, "no-such-folder", "x.html");
        var (code, _, error) = Cli("run", "seed-000-fin-to-time-wait", "--report", html);

        Assert.Equal(Commands.BadInput, code);
        Assert.Contains("--report", error, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static (int Code, string Output, string Error) Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = Commands.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
