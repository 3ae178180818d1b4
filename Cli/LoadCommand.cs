using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TcpActors.Chaos;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary><c>tcpactors load</c>: many clients, a few servers, short or kept-alive connections, and what happens to ports and TIME_WAIT.</summary>
internal static class LoadCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string?>("workload") { Description = "A scenario file (or built-in name) with a workload: section; then the options that shape the load come from it.", Arity = ArgumentArity.ZeroOrOne };
        var clients = new Option<int>("--clients") { Description = "Client hosts (with --loopback: client applications on the one host).", DefaultValueFactory = _ => 1 };
        var servers = new Option<int>("--servers") { Description = "Server hosts (with --loopback: server addresses 127.0.0.1..N).", DefaultValueFactory = _ => 1 };
        var rate = NumberOption.Create("--rate", "New connections per second over all clients (open loop).");
        var concurrency = new Option<int?>("--concurrency") { Description = "Connections kept in flight over all clients (closed loop; a failed one is replaced after a back-off from 1 ms doubling to 1 s)." };
        var arrival = new Option<string>("--arrival") { Description = "Open-loop arrivals: constant or poisson.", DefaultValueFactory = _ => "constant" };
        arrival.AcceptOnlyFromAmong("constant", "poisson");
        var duration = new Option<string>("--duration") { Description = "How long the load runs (simulated), e.g. 30s, 5m.", DefaultValueFactory = _ => "10s" };
        var drain = new Option<string>("--drain") { Description = "How long to keep running afterwards so TIME_WAIT can expire.", DefaultValueFactory = _ => "61s" };
        var close = new Option<string>("--close") { Description = "Which side closes first (and keeps TIME_WAIT): client or server.", DefaultValueFactory = _ => "client" };
        close.AcceptOnlyFromAmong("client", "server");
        var linger = new Option<int?>("--linger") { Description = "SO_LINGER seconds on the closing side (0: reset, no TIME_WAIT)." };
        var requests = new Option<int>("--requests-per-connection") { Description = "Requests per connection (keep-alive).", DefaultValueFactory = _ => 1 };
        var requestBytes = new Option<string>("--request-bytes") { Description = "Request size: N, N-M (uniform) or exp:N.", DefaultValueFactory = _ => "100" };
        var responseBytes = new Option<string>("--response-bytes") { Description = "Response size: N, N-M (uniform) or exp:N.", DefaultValueFactory = _ => "1000" };
        var think = new Option<string>("--think-time") { Description = "Pause between requests on a connection (and before reconnecting in a closed loop).", DefaultValueFactory = _ => "0" };
        var service = new Option<string>("--service-time") { Description = "Server time to answer a request.", DefaultValueFactory = _ => "0" };
        var port = new Option<int>("--port") { Description = "The servers' port.", DefaultValueFactory = _ => 80 };
        var loopback = new Option<bool>("--loopback") { Description = "Clients and servers on one host over lo (servers 127.0.0.1..N, one listener); tcp_tw_reuse=2 then applies." };
        var linkDelay = new Option<string>("--link-delay") { Description = "Propagation delay of each host's link to the switch.", DefaultValueFactory = _ => "25us" };
        var seed = new Option<ulong>("--seed") { Description = "The run's seed.", DefaultValueFactory = _ => 1 };
        var speed = NumberOption.Create("--speed", "Pace simulated time at this multiple of real time (live dashboards).");
        var json = new Option<string?>("--json") { Description = "Write the summary and the per-second time series to this JSON file." };
        var sysctl = new Option<string[]>("--sysctl") { Description = "NAME=VALUE for every host (repeatable), e.g. net.ipv4.tcp_tw_reuse=1.", AllowMultipleArgumentsPerToken = false };
        var clientSysctl = new Option<string[]>("--client-sysctl") { Description = "NAME=VALUE for the clients only (repeatable)." };
        var serverSysctl = new Option<string[]>("--server-sysctl") { Description = "NAME=VALUE for the servers only (repeatable)." };
        var rule = new Option<string[]>("--rule") { Description = "An iptables line for every client and server, or prefixed 'servers:', 'clients:', 'switch:', 'client-1:' (repeatable)." };
        var netem = new Option<string[]>("--netem") { Description = "netem settings for every client's and server's egress, e.g. \"delay 20ms 5ms loss 0.5%\" (repeatable, prefixable like --rule)." };
        var quiet = new Option<bool>("--quiet") { Description = "No live progress, only the summary." };
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report with charts over simulated time (docs/report.md)." };
        var checkInvariants = InvariantWatch.CreateOption();
        var command = new Command("load", "Run a load: clients opening connections to servers, and what happens to ports, TIME_WAIT and errors.")
        {
            file, clients, servers, rate, concurrency, arrival, duration, drain, close, linger, requests, requestBytes, responseBytes, think, service, port,
            loopback, linkDelay, seed, speed, json, sysctl, clientSysctl, serverSysctl, rule, netem, quiet, report, checkInvariants,
        };
        var limits = RunLimitOptions.ForLoad();
        limits.AddTo(command);
        var otlp = new OtlpOptions();
        otlp.AddTo(command);
        command.SetAction(parsed =>
        {
            double? pace = NumberOption.Speed(parsed.GetValue(speed));

            using var invariants = new InvariantWatch(parsed.GetValue(checkInvariants), attachedMidRun: true);
            (string?, string)[] files = [(parsed.GetValue(json), "--json"), (parsed.GetValue(report), "--report")];
            if (parsed.GetValue(file) is { } input)
            {
                OutputFile.NotTheInput(input, files);
            }

            OutputFile.Distinct(files);
            LoadOutputs Outputs() => new(OutputFile.Checked(parsed.GetValue(json), "--json"), parsed.GetValue(quiet), ReportFiles.For(parsed.GetValue(report)), invariants);
            Option[] shaping = [clients, servers, rate, concurrency, arrival, duration, drain, close, linger, requests, requestBytes, responseBytes, think, service, port, loopback, linkDelay, sysctl, clientSysctl, serverSysctl, rule, netem];
            if (parsed.GetValue(file) is { } workloadFile)
            {
                var given = shaping.Where(o => parsed.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0)
                {
                    throw new UsageException($"{string.Join(", ", given)} cannot be combined with a workload file (edit the file's workload: section instead)");
                }

                var scenario = BuiltInScenarios.Resolve(workloadFile);
                var fromFile = scenario.Workload ?? throw new UsageException($"{workloadFile} has no workload: section (run it with `tcpactors run`)");
                var seeded = parsed.GetResult(seed) is { Implicit: false } ? fromFile with { Seed = parsed.GetValue(seed) } : fromFile;
                return Execute(seeded with { Limits = limits.Apply(parsed, seeded.Limits) }, pace, otlp.Observer(parsed), Outputs(), output, error);
            }

            if (parsed.GetValue(loopback) && parsed.GetResult(linkDelay) is { Implicit: false })
            {
                throw new UsageException("--link-delay does not apply to --loopback (one host, no links; use --netem \"delay …\" to delay lo)");
            }

            if (parsed.GetValue(concurrency) is not null && parsed.GetResult(arrival) is { Implicit: false })
            {
                throw new UsageException("--" + LoadRunner.ArrivalWithConcurrency.Replace("(rate)", "(--rate)", StringComparison.Ordinal).Replace("with concurrency", "with --concurrency", StringComparison.Ordinal));
            }

            var settings = new LoadSettings
            {
                Clients = parsed.GetValue(clients),
                Servers = parsed.GetValue(servers),
                Rate = parsed.GetValue(rate),
                Concurrency = parsed.GetValue(concurrency),
                Arrival = parsed.GetValue(arrival)!,
                Duration = DurationOption(parsed.GetValue(duration)!, "--duration"),
                Drain = DurationOption(parsed.GetValue(drain)!, "--drain"),
                Close = parsed.GetValue(close) == "server" ? Closer.Server : Closer.Client,
                Linger = parsed.GetValue(linger),
                RequestsPerConnection = parsed.GetValue(requests),
                RequestBytes = Distribution.ParseBytes(parsed.GetValue(requestBytes)!, "--request-bytes"),
                ResponseBytes = Distribution.ParseBytes(parsed.GetValue(responseBytes)!, "--response-bytes"),
                ThinkTime = Distribution.ParseDuration(parsed.GetValue(think)!, "--think-time"),
                ServiceTime = Distribution.ParseDuration(parsed.GetValue(service)!, "--service-time"),
                Port = parsed.GetValue(port) is >= 1 and <= 65535 and var p ? (ushort)p : throw new UsageException("--port must be 1..65535"),
                LinkDelay = DurationOption(parsed.GetValue(linkDelay)!, "--link-delay"),
                Loopback = parsed.GetValue(loopback),
                Seed = parsed.GetValue(seed),
                Sysctls = Pairs(parsed.GetValue(sysctl), "--sysctl"),
                ClientSysctls = Pairs(parsed.GetValue(clientSysctl), "--client-sysctl"),
                ServerSysctls = Pairs(parsed.GetValue(serverSysctl), "--server-sysctl"),
                Rules = parsed.GetValue(rule) ?? [],
                Netem = parsed.GetValue(netem) ?? [],
            };
            if (parsed.GetResult(think) is { Implicit: false } && LoadRunner.ThinksNowhere(settings))
            {
                throw new UsageException("--think-time is the pause between requests on a connection (--requests-per-connection above 1) or before a closed loop reconnects (--concurrency); with one request per connection at a --rate it would never be used");
            }

            return Execute(settings with { Limits = limits.Apply(parsed, settings.Limits) }, pace, otlp.Observer(parsed), Outputs(), output, error);
        });
        return command;
    }

    private static int Execute(LoadSettings settings, double? speed, Func<Network.Topology, IDisposable?>? observe, LoadOutputs outputs, TextWriter output, TextWriter error)
    {
        var (jsonPath, quiet, reportFiles, invariants) = outputs;
        Action<ActorSystem>? attach = Interruption.Track((reportFiles is null ? null : reportFiles.AttachLoad) + invariants.Attach);
        bool interactive = !quiet && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        });
        var wall = Stopwatch.StartNew();
        LoadReport report;
        try
        {
            report = interactive
                ? LoadDisplay.RunLive(console, settings, speed, wall, attach, observe)
                : LoadRunner.Run(settings, attach: attach, pacing: speed is null ? null : new SystemWallClock(), speed: speed ?? 1, observe: observe);
        }
        catch (ActorFailureException failure)
        {
            error.WriteLine($"tcpactors: internal error (please report it, with the command line and --seed {settings.Seed}): {InputText.OneLine(failure.Message)}");
            return Commands.InternalError;
        }

        LoadDisplay.Summary(console, report, wall.Elapsed);
        var checkedInvariants = invariants.Finish();
        if (checkedInvariants is not null)
        {
            console.Profile.Out.Writer.WriteLine("invariants: " + checkedInvariants.Description);
        }

        reportFiles?.Write(report);
        if (jsonPath is not null)
        {
            OutputFile.Write(jsonPath, LoadJson.Write(report, checkedInvariants), "--json");
        }

        return Commands.Outcome(report.Run, expectationsHold: true, checkedInvariants);
    }

    /// <summary>What a load command writes besides the summary.</summary>
    private sealed record LoadOutputs(string? JsonPath, bool Quiet, ReportFiles? ReportFiles, InvariantWatch Invariants);

    private static Duration DurationOption(string text, string option) =>
        !Durations.TryParse(text, out var value)
            ? throw new UsageException($"{option} must be a duration like 30s, 500ms or 5m, not {InputText.Quote(text)}")
            : value > Duration.Zero || option != "--duration"
                ? value
                : throw new UsageException($"--duration must be positive: the load runs that long (--drain 0 is how to stop at once afterwards), not {InputText.Quote(text)}");

    private static List<(string Name, string Value)> Pairs(string[]? values, string option) => (values ?? []).Select(value =>
    {
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new UsageException($"{option} takes NAME=VALUE, as in {option} net.ipv4.tcp_tw_reuse=1, not {InputText.Quote(value)}");
        }

        string name = value[..equals].Trim();
        string setting = value[(equals + 1)..].Trim().Trim('"', '\'');
        try
        {
            Network.SysctlRegistry.Set(new Network.Sysctls(), name, setting);
        }
        catch (Network.SysctlException problem)
        {
            throw new UsageException($"{option}: {problem.Message}", problem);
        }

        return (name, setting);
    }).ToList();
}
