using TcpActors.Reports;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>
/// <c>--report FILE.html</c> and <c>--svg FILE</c>: attaches the recorder the pictures need before the run
/// and writes the files after it (docs/report.md).
/// </summary>
internal sealed class ReportFiles
{
    private readonly string? _htmlPath;
    private readonly string? _svgPath;
    private readonly ScenarioRecorder _scenario = new();
    private readonly LoadRecorder _load = new();

    private ReportFiles(string? htmlPath, string? svgPath)
    {
        _htmlPath = htmlPath;
        _svgPath = svgPath;
    }

    /// <summary>Null when neither file was asked for, so a run without them records nothing; the paths are checked before the run.</summary>
    public static ReportFiles? For(string? htmlPath, string? svgPath = null) =>
        htmlPath is null && svgPath is null ? null : new ReportFiles(OutputFile.Checked(htmlPath, "--report"), OutputFile.Checked(svgPath, "--svg"));

    public void AttachScenario(ActorSystem system) => _scenario.Attach(system);

    public void AttachLoad(ActorSystem system) => _load.Attach(system);

    public void Write(RunReport report)
    {
        if (_htmlPath is not null)
        {
            OutputFile.Write(_htmlPath, ScenarioReportHtml.Write(report, _scenario), "--report");
        }

        if (_svgPath is not null)
        {
            OutputFile.Write(_svgPath, ScenarioReportHtml.WriteSvg(report, _scenario), "--svg");
        }
    }

    public void Write(LoadReport report)
    {
        if (_htmlPath is not null)
        {
            OutputFile.Write(_htmlPath, LoadReportHtml.Write(report, _load), "--report");
        }
    }
}
