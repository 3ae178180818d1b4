using System.Text.Json;
using System.Text.RegularExpressions;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>The files under deploy/ in this checkout, and the queries the dashboards hold.</summary>
internal static partial class DeployFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryRoot, "deploy", .. parts]);

    public static IReadOnlyList<string> DashboardPaths =>
        Directory.GetFiles(Path("grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal).ToList();

    /// <summary>The uids of the provisioned datasources (each <c>uid:</c> line of datasources.yaml).</summary>
    public static IReadOnlyDictionary<string, string> DatasourceTypes()
    {
        var text = File.ReadAllText(Path("grafana", "provisioning", "datasources", "datasources.yaml"));
        var blocks = text.Split("  - name:", StringSplitOptions.RemoveEmptyEntries).Skip(1);
        return blocks.ToDictionary(
            b => UidLine().Match(b).Groups[1].Value,
            b => TypeLine().Match(b).Groups[1].Value);
    }

    /// <summary>Every PromQL query of a dashboard: targets' <c>expr</c> and the selectors inside query variables' <c>label_values(...)</c>.</summary>
    public static IEnumerable<(string Where, string Expression)> PromQueries(JsonDocument dashboard)
    {
        foreach (var panel in Panels(dashboard.RootElement))
        {
            foreach (var target in Targets(panel))
            {
                if (target.TryGetProperty("expr", out var expr))
                {
                    yield return ($"panel '{panel.GetProperty("title").GetString()}' {target.GetProperty("refId").GetString()}", expr.GetString()!);
                }
            }
        }

        foreach (var variable in Variables(dashboard.RootElement))
        {
            if (variable.GetProperty("type").GetString() == "query" && variable.TryGetProperty("definition", out var definition))
            {
                var match = LabelValues().Match(definition.GetString()!);
                Assert.True(match.Success, $"variable {variable.GetProperty("name")}: expected label_values(selector, label), got {definition}");
                yield return ($"variable {variable.GetProperty("name").GetString()}", match.Groups[1].Value);
            }
        }
    }

    /// <summary>Every TraceQL query of a dashboard.</summary>
    public static IEnumerable<(string Where, string Query)> TraceQueries(JsonDocument dashboard) =>
        Panels(dashboard.RootElement).SelectMany(panel => Targets(panel)
            .Where(t => t.TryGetProperty("queryType", out var type) && type.GetString() == "traceql")
            .Select(t => ($"panel '{panel.GetProperty("title").GetString()}'", t.GetProperty("query").GetString()!)));

    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    public static IEnumerable<JsonElement> Targets(JsonElement panel) =>
        panel.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : [];

    public static IEnumerable<JsonElement> Variables(JsonElement dashboard) =>
        dashboard.TryGetProperty("templating", out var templating) ? templating.GetProperty("list").EnumerateArray() : [];

    /// <summary>Every object named "datasource" anywhere in the dashboard.</summary>
    public static IEnumerable<JsonElement> Datasources(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "datasource")
                {
                    yield return property.Value;
                }

                foreach (var inner in Datasources(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var inner in element.EnumerateArray().SelectMany(Datasources))
            {
                yield return inner;
            }
        }
    }

    /// <summary>Replaces Grafana's variables by values Prometheus accepts, failing on one it does not know.</summary>
    public static string Substitute(string expression)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["run"] = ".*",
            ["host"] = ".*",
            ["__rate_interval"] = "1m",
            ["__interval"] = "15s",
            ["__range"] = "1h",
        };
        return GrafanaVariable().Replace(expression, match =>
        {
            string name = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
            Assert.True(values.ContainsKey(name), $"unknown dashboard variable ${name} in {expression}");
            return values[name];
        });
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "TcpActors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TcpActors.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*uid:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex UidLine();

    [GeneratedRegex(@"^\s*type:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)")]
    private static partial Regex GrafanaVariable();
}
