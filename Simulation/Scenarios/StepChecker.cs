using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Simulation;

/// <summary>
/// Checks a script before it runs: sockets are used only after a call created them, and every
/// argument is of the right kind (addresses, byte counts, durations, option names, shutdown modes).
/// </summary>
internal static class StepChecker
{
    public static void Check(IReadOnlyList<Step> steps)
    {
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        Runtime.Duration? lastAt = null;
        foreach (var step in steps)
        {
            if (step.At is { } at)
            {
                if (lastAt is { } previous && at < previous)
                {
                    throw new ScenarioException(step.Where, $"'at {at}' is earlier than the previous step's 'at {previous}' (steps run in order)");
                }

                lastAt = at;
            }

            CheckArguments(step, sockets);
            if (step.Result is { } result)
            {
                if (step.Function is not ("socket" or "accept" or "connect"))
                {
                    throw new ScenarioException(step.Where, $"{step.Function}() returns no socket to assign to {InputText.Quote(result)}");
                }

                sockets.Add(result);
            }
        }
    }

    private static void CheckArguments(Step step, HashSet<string> sockets)
    {
        var arguments = step.Arguments;
        switch (step.Function)
        {
            case "socket":
                SocketOptionParser.Parse(SocketOptions.Default, arguments);
                RequireResult(step);
                break;
            case "setsockopt":
                RequireSocket(arguments[0], sockets);
                SocketOptionParser.Parse(SocketOptions.Default, arguments.Skip(1));
                break;
            case "bind":
                RequireSocket(arguments[0], sockets);
                Address(arguments[1]);
                break;
            case "listen":
                RequireSocket(arguments[0], sockets);
                if (arguments.Count > 1)
                {
                    Number(arguments[1], 0, int.MaxValue, "a backlog");
                }

                break;
            case "accept" or "recv_all" or "close":
                RequireSocket(arguments[0], sockets);
                break;
            case "connect":
                CheckConnect(step, sockets);
                break;
            case "send":
                RequireSocket(arguments[0], sockets);
                Payload(arguments[1]);
                break;
            case "recv":
                RequireSocket(arguments[0], sockets);
                if (arguments.Count > 1)
                {
                    Number(arguments[1], 1, int.MaxValue, "a maximum byte count");
                }

                break;
            case "shutdown":
                RequireSocket(arguments[0], sockets);
                ShutdownMode(arguments[1]);
                break;
            case "sleep":
                Durations.Parse(arguments[0].Value, arguments[0].Where, "sleep's duration");
                break;
        }
    }

    private static void CheckConnect(Step step, HashSet<string> sockets)
    {
        var arguments = step.Arguments;
        if (arguments[0].Name is null && sockets.Contains(arguments[0].Value))
        {
            if (arguments.Count != 2)
            {
                throw new ScenarioException(arguments[0].Where, "connect(s, ADDRESS:PORT) takes a socket and an address");
            }

            Address(arguments[1]);
            return;
        }

        if (StepParser.IsIdentifier(arguments[0].Value) && !arguments[0].Value.Contains('.', StringComparison.Ordinal))
        {
            throw new ScenarioException(arguments[0].Where, $"no socket named {InputText.Quote(arguments[0].Value)} yet (create it with 's = socket()' first)");
        }

        Address(arguments[0]);
        SocketOptionParser.Parse(SocketOptions.Default, arguments.Skip(1));
        RequireResult(step);
    }

    private static void RequireResult(Step step)
    {
        if (step.Result is null)
        {
            throw new ScenarioException(step.Where, $"give the new socket a name: 's = {step.Text}'");
        }
    }

    private static void RequireSocket(StepArgument argument, HashSet<string> sockets)
    {
        if (argument.Name is not null || !sockets.Contains(argument.Value))
        {
            throw new ScenarioException(argument.Where, $"no socket named {InputText.Quote(argument.Value)} yet (sockets: {(sockets.Count == 0 ? "none" : string.Join(", ", sockets.Order(StringComparer.Ordinal)))})");
        }
    }

    public static SocketAddress Address(StepArgument argument)
    {
        if (OctalLookalike.Part(argument.Value.Split(':')[0]) is { } octal)
        {
            throw new ScenarioException(argument.Where, OctalLookalike.Message(argument.Value, octal));
        }

        if (SocketAddress.TryParse(argument.Value, out var address))
        {
            return address;
        }

        throw new ScenarioException(argument.Where, $"{InputText.Quote(argument.Value)} is not ADDRESS:PORT (e.g. 127.0.0.1:60000 or 0.0.0.0:8080)");
    }

    public static int Number(StepArgument argument, int min, int max, string what)
    {
        if (int.TryParse(argument.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        throw new ScenarioException(argument.Where, $"expected {what} ({min}..{max}), not {InputText.Quote(argument.Value)}");
    }

    /// <summary>send()'s data: a byte count (zeros) or a quoted string (its UTF-8 bytes).</summary>
    public static ByteChunk Payload(StepArgument argument)
    {
        if (argument.Value.Length >= 2 && argument.Value.StartsWith('"') && argument.Value.EndsWith('"'))
        {
            return ByteChunk.Of(System.Text.Encoding.UTF8.GetBytes(Unescape(argument.Value[1..^1], argument.Where.Shifted(1))));
        }

        return ByteChunk.OfLength(Number(argument, 0, 1 << 30, "a byte count or a quoted string"));
    }

    /// <summary>A quoted string's text: <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\\</c> and <c>\"</c> are escapes; any other backslash is an error at its column.</summary>
    private static string Unescape(string text, SourceSpan where)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            char? escaped = i + 1 < text.Length ? text[i + 1] switch
            {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '\\' => '\\',
                '"' => '"',
                _ => null,
            } : null;
            if (escaped is null)
            {
                string written = text.Substring(i, Math.Min(2, text.Length - i));
                throw new ScenarioException(where.Shifted(i), $"unknown escape {InputText.Quote(written)} in a string (write \\n, \\r, \\t, \\\\ or \\\")");
            }

            result.Append(escaped.Value);
            i++;
        }

        return result.ToString();
    }

    public static ShutdownHow ShutdownMode(StepArgument argument) => argument.Value.ToUpperInvariant() switch
    {
        "SHUT_RD" or "RD" or "0" => ShutdownHow.Read,
        "SHUT_WR" or "WR" or "1" => ShutdownHow.Write,
        "SHUT_RDWR" or "RDWR" or "2" => ShutdownHow.Both,
        _ => throw new ScenarioException(argument.Where, $"expected SHUT_RD, SHUT_WR or SHUT_RDWR, not {InputText.Quote(argument.Value)}"),
    };
}

/// <summary>The socket options a script names, as Python's setsockopt would set them.</summary>
internal static class SocketOptionParser
{
    public static SocketOptions Parse(SocketOptions start, IEnumerable<StepArgument> arguments)
    {
        var options = start;
        foreach (var argument in arguments)
        {
            string name = (argument.Name ?? argument.Value).ToLowerInvariant().Replace("so_", "", StringComparison.Ordinal).Replace("tcp_", "", StringComparison.Ordinal);
            string? value = argument.Name is null ? null : argument.Value;
            options = name switch
            {
                "reuseaddr" => options with { ReuseAddress = Flag(argument, value) },
                "reuseport" => options with { ReusePort = Flag(argument, value) },
                "nodelay" => options with { NoDelay = Flag(argument, value) },
                "keepalive" => options with { KeepAlive = Flag(argument, value) },
                "linger" => options with { Linger = LingerOf(argument, value) },
                "keepidle" => options with { KeepIdleSeconds = Seconds(argument, value, 1, 32767) },
                "keepintvl" => options with { KeepIntervalSeconds = Seconds(argument, value, 1, 32767) },
                "keepcnt" => options with { KeepCount = Seconds(argument, value, 1, 127) },
                "syncnt" => options with { SynCount = Seconds(argument, value, 1, 127) },
                "linger2" => options with { Linger2Seconds = Seconds(argument, value, -1, 1_000_000) },
                "rcvbuf" => options with { ReceiveBuffer = Seconds(argument, value, 1, int.MaxValue / 2) },
                "sndbuf" => options with { SendBuffer = Seconds(argument, value, 1, int.MaxValue / 2) },
                "user_timeout" => options with { UserTimeout = Durations.Parse(Require(argument, value), argument.Where, "user_timeout") },
                "max_pacing_rate" => options with { MaxPacingRate = PacingRate(argument, value) },
                "congestion" => options with { CongestionControl = CongestionName(argument, value) },
                _ => throw new ScenarioException(argument.Where,
                    $"unknown socket option {InputText.Quote(argument.Name ?? argument.Value)} (expected reuseaddr, reuseport, nodelay, keepalive, linger=N|off, keepidle=S, keepintvl=S, keepcnt=N, syncnt=N, linger2=S, rcvbuf=B, sndbuf=B, user_timeout=D, max_pacing_rate=B/s, congestion=NAME)"),
            };
        }

        return options;
    }

    private static bool Flag(StepArgument argument, string? value) => value?.ToUpperInvariant() switch
    {
        null or "1" or "TRUE" or "ON" or "YES" => true,
        "0" or "FALSE" or "OFF" or "NO" => false,
        _ => throw new ScenarioException(argument.Where, $"{InputText.Quote(argument.Name)} is on or off (1/0), not {InputText.Quote(value)}"),
    };

    /// <summary>SO_LINGER: <c>linger=0</c> is {1,0} (abort with RST), <c>linger=5</c> is {1,5}, <c>linger=off</c> is {0,0}.</summary>
    private static Linger LingerOf(StepArgument argument, string? value)
    {
        string text = Require(argument, value);
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return Linger.Off;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
            ? new Linger(true, seconds)
            : throw new ScenarioException(argument.Where, $"linger takes seconds (linger=0 aborts with RST, linger=5 waits 5 s) or 'off', not {InputText.Quote(text)}");
    }

    /// <summary>TCP_CONGESTION: one of the available algorithms (Linux's setsockopt answers ENOENT for others).</summary>
    private static string CongestionName(StepArgument argument, string? value)
    {
        string name = Require(argument, value);
        return CongestionControlNames.IsAvailable(name)
            ? name
            : throw new ScenarioException(argument.Where, $"unknown congestion control {InputText.Quote(name)} (available: {CongestionControlNames.Available})");
    }

    private static int Seconds(StepArgument argument, string? value, int min, int max)
    {
        string text = Require(argument, value);
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number) && number >= min && number <= max
            ? number
            : throw new ScenarioException(argument.Where, $"{argument.Name} must be an integer in {min}..{max}, not {InputText.Quote(text)}");
    }

    /// <summary>
    /// SO_MAX_PACING_RATE: bytes a second, a whole number from 0 (which stops pacing's advance, as a zero rate does in
    /// tcp_update_skb_after_send); <c>unlimited</c> is ~0, no maximum, and leaves pacing off.
    /// </summary>
    private static long? PacingRate(StepArgument argument, string? value)
    {
        string text = Require(argument, value);
        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long rate) && rate < long.MaxValue
            ? rate
            : throw new ScenarioException(argument.Where, $"{argument.Name} is a rate in bytes a second (a whole number, e.g. max_pacing_rate=1000000) or 'unlimited', not {InputText.Quote(text)}");
    }

    private static string Require(StepArgument argument, string? value) =>
        value ?? throw new ScenarioException(argument.Where, $"{InputText.Quote(argument.Value)} needs a value, as in {InputText.Escape(argument.Value)}=5");
}
