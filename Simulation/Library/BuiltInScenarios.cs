using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>The scenario library under scenarios/, embedded in the assembly so the CLI works from anywhere.</summary>
public static class BuiltInScenarios
{
    private const string Prefix = "scenarios/";

    /// <summary>Every built-in scenario's name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(BuiltInScenarios).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    public static bool Exists(string name) => Names.Contains(Strip(name), StringComparer.Ordinal);

    public static Scenario Load(string name)
    {
        string key = Strip(name);
        using var stream = typeof(BuiltInScenarios).Assembly.GetManifestResourceStream(Prefix + key + ".yaml")
            ?? throw new ScenarioException(new SourceSpan(name, 0, 0), $"no built-in scenario named {InputText.Quote(name)} (see `tcpactors list`)");
        using var reader = new StreamReader(stream);
        return ScenarioLoader.Load(reader.ReadToEnd(), "scenarios/" + key + ".yaml", key);
    }

    /// <summary>A file path if it exists, else a built-in name; otherwise a clear error.</summary>
    public static Scenario Resolve(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (string.IsNullOrWhiteSpace(nameOrPath))
        {
            throw new ScenarioException(new SourceSpan("SCENARIO", 0, 0), "is empty: give a scenario file or the name of a built-in scenario (see `tcpactors list`)");
        }

        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath))
        {
            return ScenarioLoader.LoadFile(nameOrPath);
        }

        if (Exists(nameOrPath))
        {
            return Load(nameOrPath);
        }

        string stripped = Strip(nameOrPath);
        var close = stripped.Length < 3 ? [] : Names.Where(n => n.Contains(stripped, StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        string hint = close.Count > 0 ? $" (did you mean {string.Join(", ", close)}?)" : " (see `tcpactors list` for the built-in ones)";
        throw new ScenarioException(new SourceSpan(nameOrPath, 0, 0), $"no such file, and no built-in scenario of that name{hint}");
    }

    private static string Strip(string name) => name.EndsWith(".yaml", StringComparison.Ordinal) ? name[..^5] : name;
}
