using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// The stack under deploy/ cannot run here (no Docker engine), so it is checked piece by piece: Prometheus'
/// config with promtool, every dashboard query with a real Prometheus and against the names we export,
/// the Grafana provisioning and its security settings, and the documentation.
/// </summary>
public sealed partial class DeployStackTests
{
    /// <summary>Labels every series has besides our attributes: Prometheus' own, and resource attributes turned into labels by the collector.</summary>
    private static readonly string[] s_otherLabels =
        ["__name__", "job", "instance", "le", "service_name", "service_instance_id", "tcpactors_run_name", "tcpactors_run_seed"];

    private static readonly string[] s_promqlWords =
    [
        "sum", "max", "min", "avg", "count", "rate", "irate", "increase", "by", "without", "on", "ignoring",
        "group_left", "group_right", "topk", "bottomk", "histogram_quantile", "and", "or", "unless", "offset",
        "clamp_min", "clamp_max", "delta", "deriv", "abs", "label_replace", "vector", "scalar", "time", "bool",
    ];

    [RequiresPrometheusFact("promtool")]
    public void Promtool_accepts_the_Prometheus_config()
    {
        // Proves deploy/prometheus/prometheus.yml is valid for the real Prometheus.
        string output = ExternalTool.Run("promtool", ["check", "config", DeployFiles.Path("prometheus", "prometheus.yml")]);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [RequiresPrometheusFact("prometheus")]
    public void A_real_Prometheus_accepts_every_PromQL_expression_of_the_dashboards()
    {
        // Proves each query (with Grafana's variables filled in) parses and evaluates in Prometheus.
        var queries = DeployFiles.DashboardPaths
            .SelectMany(path => DeployFiles.PromQueries(JsonDocument.Parse(File.ReadAllText(path))).Select(q => (File: System.IO.Path.GetFileName(path), q.Where, q.Expression)))
            .ToList();
        Assert.True(queries.Count >= 20, $"only {queries.Count} PromQL queries found");
        using var prometheus = new PrometheusServer(DeployFiles.Path("prometheus", "prometheus.yml"));

        var rejected = queries
            .Select(q => (q.File, q.Where, q.Expression, Error: prometheus.QueryError(DeployFiles.Substitute(q.Expression))))
            .Where(q => q.Error is not null)
            .Select(q => $"{q.File} {q.Where}: {q.Expression}\n    {q.Error}")
            .ToList();
        Assert.True(rejected.Count == 0, string.Join('\n', rejected));
    }

    [Fact]
    public void Every_metric_and_label_the_dashboards_query_is_one_we_export_after_the_collectors_translation()
    {
        // Proves the dashboards are not plotting names that never exist: each tcpactors_* name is an instrument's
        // Prometheus name and each label is an attribute we record (or a resource/Prometheus label).
        var exported = InstrumentCatalogue.All.SelectMany(e => e.PrometheusSeries).ToHashSet(StringComparer.Ordinal);
        var labels = AttributeKeys().Select(InstrumentCatalogue.LabelName).Concat(s_otherLabels).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in DeployFiles.DashboardPaths)
        {
            foreach (var (where, expression) in DeployFiles.PromQueries(JsonDocument.Parse(File.ReadAllText(path))))
            {
                var metrics = MetricName().Matches(Bare(expression)).Select(m => m.Value).ToList();
                if (metrics.Count == 0)
                {
                    problems.Add($"{where}: no tcpactors metric in {expression}");
                }

                problems.AddRange(metrics.Where(m => !exported.Contains(m)).Select(m => $"{where}: {m} is not exported"));
                used.UnionWith(metrics);
                foreach (var label in LabelNames(expression).Where(l => !labels.Contains(l)))
                {
                    problems.Add($"{where}: label {label} does not exist");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Contains("tcpactors_tcp_connections", used);
        Assert.Contains("tcpactors_chaos_verdicts_total", used);
    }

    [Fact]
    public void The_translated_Prometheus_names_follow_the_collectors_rules()
    {
        // Proves the translation used above on the cases that matter: counters, seconds, ratio, braces.
        Assert.Equal("tcpactors_tcp_segments_total", InstrumentCatalogue.Translate("tcpactors.tcp.segments", "{segment}", InstrumentCatalogue.Kind.Counter));
        Assert.Equal("tcpactors_simulation_time_seconds", InstrumentCatalogue.Translate("tcpactors.simulation.time", "s", InstrumentCatalogue.Kind.Gauge));
        Assert.Equal("tcpactors_simulation_speed_ratio", InstrumentCatalogue.Translate("tcpactors.simulation.speed", "1", InstrumentCatalogue.Kind.Gauge));
        Assert.Equal("tcpactors_tcp_time_wait_entries", InstrumentCatalogue.Translate("tcpactors.tcp.time_wait.entries", "{entry}", InstrumentCatalogue.Kind.Gauge));
        Assert.Equal("http_server_request_duration_seconds", InstrumentCatalogue.Translate("http.server.request.duration", "s", InstrumentCatalogue.Kind.Histogram));
        Assert.Equal("network_io_bytes_per_second", InstrumentCatalogue.Translate("network.io", "By/s", InstrumentCatalogue.Kind.Gauge));
        Assert.Equal("network_connection_state", InstrumentCatalogue.LabelName("network.connection.state"));
    }

    [Fact]
    public void Dashboards_parse_and_use_only_the_provisioned_datasources()
    {
        // Proves every dashboard is valid JSON with a unique uid, and every datasource reference is provisioned with the right type.
        var provisioned = DeployFiles.DatasourceTypes();
        Assert.Equal(new Dictionary<string, string> { ["tcpactors-prometheus"] = "prometheus", ["tcpactors-tempo"] = "tempo" }, provisioned);
        var uids = new List<string>();
        foreach (var path in DeployFiles.DashboardPaths)
        {
            using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
            var root = dashboard.RootElement;
            uids.Add(root.GetProperty("uid").GetString()!);
            Assert.NotEmpty(DeployFiles.Panels(root));
            foreach (var datasource in DeployFiles.Datasources(root))
            {
                Assert.Equal(JsonValueKind.Object, datasource.ValueKind);
                string uid = datasource.GetProperty("uid").GetString()!;
                Assert.True(provisioned.ContainsKey(uid), $"{System.IO.Path.GetFileName(path)} refers to datasource uid {uid}");
                Assert.Equal(provisioned[uid], datasource.GetProperty("type").GetString());
            }

            foreach (var panel in DeployFiles.Panels(root))
            {
                Assert.True(panel.TryGetProperty("datasource", out _), $"panel {panel.GetProperty("title")} names no datasource");
            }
        }

        Assert.Equal(["tcpactors-chaos", "tcpactors-connections", "tcpactors-overview"], uids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_connection_explorer_searches_Tempo_by_port_state_and_errno_with_attributes_our_spans_carry()
    {
        // Proves each TraceQL query names only span attributes, span names and span kinds that ConnectionTracer
        // records, and that one query follows the trace structure: the client span is the server span's parent.
        var spanAttributes = AttributeKeys().ToHashSet(StringComparer.Ordinal);
        using var explorer = JsonDocument.Parse(File.ReadAllText(DeployFiles.Path("grafana", "dashboards", "tcpactors-connections.json")));
        var queries = DeployFiles.TraceQueries(explorer).ToList();
        Assert.Contains(queries, q => q.Query.Contains("span.network.local.port = $port", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Query.Contains("span.tcp.state = \"$state\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Query.Contains("span.tcp.errno = \"$errno\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => ClientParentOfServer().IsMatch(q.Query) && q.Query.Contains("span.server.port = $port", StringComparison.Ordinal));
        foreach (var (where, query) in queries)
        {
            Assert.True(query.Count(c => c == '{') == query.Count(c => c == '}'), $"{where}: unbalanced braces in {query}");
            foreach (Match attribute in SpanAttribute().Matches(query))
            {
                Assert.True(spanAttributes.Contains(attribute.Groups[1].Value), $"{where}: our spans have no attribute {attribute.Groups[1].Value}");
            }

            foreach (Match name in SpanName().Matches(query))
            {
                Assert.Equal(TelemetryNames.Spans.Connection, name.Groups[1].Value);
            }

            foreach (Match kind in SpanKind().Matches(query))
            {
                Assert.Contains(kind.Groups[1].Value, (string[])["client", "server", "internal"]);
            }
        }

        var variables = DeployFiles.Variables(explorer.RootElement).ToDictionary(v => v.GetProperty("name").GetString()!);
        var states = variables["state"].GetProperty("query").GetString()!.Split(',');
        Assert.All(states, s => Assert.Contains(s, Enum.GetValues<Endpoints.TcpState>().Select(TelemetryValues.State)));
        var errnos = variables["errno"].GetProperty("query").GetString()!.Split(',');
        Assert.All(errnos, e => Assert.True(Enum.TryParse<Endpoints.Errno>(e, out _), e));
    }

    [Fact]
    public void Grafana_has_no_default_admin_password_and_anonymous_visitors_are_viewers_at_most()
    {
        // Proves the compose file's security settings and that every service publishes on loopback only.
        string compose = File.ReadAllText(DeployFiles.Path("compose.yaml"));
        var password = Setting(compose, "GF_SECURITY_ADMIN_PASSWORD");
        Assert.Matches(@"^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$", password);
        Assert.DoesNotMatch(@"GF_SECURITY_ADMIN_PASSWORD__FILE|admin_password\s*=", compose);
        Assert.Equal("Viewer", Setting(compose, "GF_AUTH_ANONYMOUS_ORG_ROLE"));
        Assert.Equal("\"false\"", Setting(compose, "GF_USERS_ALLOW_SIGN_UP"));
        Assert.DoesNotContain("GF_AUTH_DISABLE_LOGIN_FORM", compose, StringComparison.Ordinal);
        var published = PublishedPort().Matches(compose).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["127.0.0.1:4317:4317", "127.0.0.1:4318:4318", "127.0.0.1:9090:9090", "127.0.0.1:3200:3200", "127.0.0.1:3000:3000"], published);
        foreach (var mounted in MountedFile().Matches(compose).Select(m => m.Groups[1].Value))
        {
            Assert.True(Path.Exists(DeployFiles.Path(mounted)), $"compose mounts ./{mounted}, which does not exist");
        }
    }

    [Fact]
    public void The_collector_takes_OTLP_in_and_feeds_the_endpoint_Prometheus_scrapes_and_Tempo()
    {
        // Proves the wiring between the configs: ports and host names line up.
        string collector = File.ReadAllText(DeployFiles.Path("otel-collector", "config.yaml"));
        string prometheus = File.ReadAllText(DeployFiles.Path("prometheus", "prometheus.yml"));
        string tempo = File.ReadAllText(DeployFiles.Path("tempo", "tempo.yaml"));
        string datasources = File.ReadAllText(DeployFiles.Path("grafana", "provisioning", "datasources", "datasources.yaml"));
        Assert.Contains("endpoint: 0.0.0.0:4317", collector, StringComparison.Ordinal);
        Assert.Contains("endpoint: 0.0.0.0:4318", collector, StringComparison.Ordinal);
        Assert.Contains("endpoint: 0.0.0.0:8889", collector, StringComparison.Ordinal);
        Assert.Contains("targets: [\"otel-collector:8889\"]", prometheus, StringComparison.Ordinal);
        Assert.Contains("endpoint: tempo:4317", collector, StringComparison.Ordinal);
        Assert.Contains("endpoint: 0.0.0.0:4317", tempo, StringComparison.Ordinal);
        Assert.Contains("http_listen_port: 3200", tempo, StringComparison.Ordinal);
        Assert.Contains("url: http://tempo:3200", datasources, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasources, StringComparison.Ordinal);
        Assert.Matches(@"traces:\s+receivers: \[otlp\]\s+processors: \[[a-z_, ]+\]\s+exporters: \[otlp/tempo\]", collector);
        Assert.Matches(@"metrics:\s+receivers: \[otlp\]\s+processors: \[[a-z_, ]+\]\s+exporters: \[prometheus\]", collector);
    }

    [Fact]
    public void The_documentation_names_every_span_event_attribute_instrument_and_Prometheus_name()
    {
        // Proves docs/telemetry.md stays complete as the catalogue grows.
        string docs = File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, "docs", "telemetry.md"));
        var names = Constants(typeof(TelemetryNames.Spans))
            .Concat(AttributeKeys())
            .Concat(InstrumentCatalogue.All.Select(e => e.Name))
            .Concat(InstrumentCatalogue.All.Select(e => e.PrometheusName))
            .Concat(["OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_METRIC_EXPORT_INTERVAL"]);
        var missing = names.Where(n => !docs.Contains($"`{n}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/telemetry.md does not mention: " + string.Join(", ", missing));
        string readme = File.ReadAllText(DeployFiles.Path("README.md"));
        Assert.Contains("GRAFANA_ADMIN_PASSWORD", readme, StringComparison.Ordinal);
        Assert.Contains("--otlp", readme, StringComparison.Ordinal);
    }

    private static IEnumerable<string> AttributeKeys() => Constants(typeof(TelemetryNames.Attributes));

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    private static string Setting(string compose, string name) =>
        Regex.Match(compose, "^\\s*" + name + ":\\s*(.+?)\\s*$", RegexOptions.Multiline).Groups[1].Value;

    /// <summary>Label names in matchers (<c>{a=~"x"}</c>) and groupings (<c>by (a, b)</c>).</summary>
    private static IEnumerable<string> LabelNames(string expression)
    {
        foreach (Match matcher in Matcher().Matches(expression))
        {
            yield return matcher.Groups[1].Value;
        }

        foreach (Match grouping in Grouping().Matches(expression))
        {
            foreach (var label in grouping.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                yield return label;
            }
        }

        foreach (Match word in Word().Matches(Bare(expression)))
        {
            string text = word.Value;
            Assert.True(text.StartsWith("tcpactors_", StringComparison.Ordinal) || s_promqlWords.Contains(text), $"unexpected word {text} in {expression}");
        }
    }

    /// <summary>The expression without groupings, label matchers, strings and Grafana variables: what is left are metric names, functions and keywords.</summary>
    private static string Bare(string expression) =>
        GrafanaVariable().Replace(Strings().Replace(Matcher().Replace(Grouping().Replace(expression, ""), ""), ""), "");

    [GeneratedRegex(@"\btcpactors_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*(?="")")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\b[a-zA-Z_][a-zA-Z0-9_]*\b(?!\s*[=!]~?)")]
    private static partial Regex Word();

    [GeneratedRegex(@"\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"\bspan\.([a-zA-Z0-9_.]+)")]
    private static partial Regex SpanAttribute();

    [GeneratedRegex(@"\bname\s*=\s*""([^""]+)""")]
    private static partial Regex SpanName();

    [GeneratedRegex(@"\bkind\s*=\s*([a-z]+)")]
    private static partial Regex SpanKind();

    /// <summary>A structural query: spans of kind server that are children (<c>&gt;</c>) of spans of kind client.</summary>
    [GeneratedRegex(@"\{[^{}]*\bkind\s*=\s*client\b[^{}]*\}\s*>\s*\{[^{}]*\bkind\s*=\s*server\b[^{}]*\}")]
    private static partial Regex ClientParentOfServer();

    [GeneratedRegex(@"^\s*-\s*""([0-9.]+:[0-9]+:[0-9]+)""", RegexOptions.Multiline)]
    private static partial Regex PublishedPort();

    [GeneratedRegex(@"^\s*-\s*\./([^:]+):", RegexOptions.Multiline)]
    private static partial Regex MountedFile();
}
