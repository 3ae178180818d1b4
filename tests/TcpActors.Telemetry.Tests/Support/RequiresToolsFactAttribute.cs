namespace TcpActors.Telemetry.Tests;

/// <summary>
/// A [Fact] that is skipped, with the reason shown in the test report, when a tool it compares against is
/// not installed (or root is needed and missing), so such a test never passes without having run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        Tools = tools;
        var missing = tools.Where(tool => ExternalTool.Find(tool) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} on PATH to compare with the real tool's output";
        }
    }

    public string[] Tools { get; }

    /// <summary>Also require root (network namespaces).</summary>
    public bool NeedsRoot
    {
        get => _needsRoot;
        set
        {
            _needsRoot = value;
            if (value && Skip is null && !ExternalTool.IsRoot)
            {
                Skip = "needs root to create a private network namespace for a live loopback capture";
            }
        }
    }

    private bool _needsRoot;
}

/// <summary>The [Theory] counterpart of <see cref="RequiresToolsFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolsTheoryAttribute : TheoryAttribute
{
    public RequiresToolsTheoryAttribute(params string[] tools)
    {
        Tools = tools;
        var missing = tools.Where(tool => ExternalTool.Find(tool) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} on PATH to compare with the real tool's output";
        }
    }

    public string[] Tools { get; }
}
