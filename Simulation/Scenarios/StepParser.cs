using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>
/// Parses one script line: <c>[at TIME:] [name =] function(arg, arg, key=value)</c>, for example
/// <c>at 2s: close(sock)</c>, <c>s = socket(reuseaddr, linger=0)</c>, <c>send(s, 100)</c>,
/// <c>send(s, "GET / HTTP/1.0")</c>. Errors point at the column of the offending character.
/// </summary>
public static class StepParser
{
    /// <summary>Every function a script may call, with its argument count range.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max, string Usage)> Functions = new Dictionary<string, (int, int, string)>(StringComparer.Ordinal)
    {
        ["socket"] = (0, 16, "s = socket([reuseaddr] [reuseport] [nodelay] [keepalive] [linger=N|off] [keepidle=S] [keepintvl=S] [keepcnt=N] [syncnt=N] [linger2=S] [rcvbuf=B] [sndbuf=B] [user_timeout=D] [max_pacing_rate=B/s])"),
        ["setsockopt"] = (2, 16, "setsockopt(s, option[=value] ...)"),
        ["bind"] = (2, 2, "bind(s, ADDRESS:PORT)"),
        ["listen"] = (1, 2, "listen(s[, BACKLOG])"),
        ["accept"] = (1, 1, "c = accept(s)"),
        ["connect"] = (1, 16, "connect(s, ADDRESS:PORT) or s = connect(ADDRESS:PORT[, option ...])"),
        ["send"] = (2, 2, "send(s, BYTES) or send(s, \"text\")"),
        ["recv"] = (1, 2, "recv(s[, MAXBYTES])"),
        ["recv_all"] = (1, 1, "recv_all(s) (read until end of stream or error)"),
        ["shutdown"] = (2, 2, "shutdown(s, SHUT_RD|SHUT_WR|SHUT_RDWR)"),
        ["close"] = (1, 1, "close(s)"),
        ["sleep"] = (1, 1, "sleep(DURATION)"),
    };

    public static Step Parse(string text, SourceSpan where)
    {
        int i = 0;
        SkipSpaces(text, ref i);
        Runtime.Duration? at = null;
        if (text.AsSpan(i).StartsWith("at ", StringComparison.Ordinal))
        {
            int colon = text.IndexOf(':', i);
            if (colon < 0)
            {
                throw new ScenarioException(where.Shifted(i), $"'at TIME' must be followed by ':' then the call, as in 'at 2s: close(s)'");
            }

            at = Durations.Parse(text[(i + 3)..colon].Trim(), where.Shifted(i + 3), "the step time");
            i = colon + 1;
            SkipSpaces(text, ref i);
        }

        int callStart = i;
        string? result = null;
        int equals = text.IndexOf('=', i);
        int paren = text.IndexOf('(', i);
        if (equals >= 0 && (paren < 0 || equals < paren))
        {
            result = text[i..equals].Trim();
            if (!IsIdentifier(result))
            {
                throw new ScenarioException(where.Shifted(i), $"{InputText.Quote(result)} is not a variable name (letters, digits and '_', starting with a letter)");
            }

            i = equals + 1;
            SkipSpaces(text, ref i);
        }

        int open = text.IndexOf('(', i);
        if (open < 0 || !text.TrimEnd().EndsWith(')'))
        {
            throw new ScenarioException(where.Shifted(i), $"expected a call like 'function(arguments)', got {InputText.Quote(text[i..].Trim())}");
        }

        string function = text[i..open].Trim();
        if (!Functions.TryGetValue(function, out var signature))
        {
            throw new ScenarioException(where.Shifted(i), $"unknown function {InputText.Quote(function)} (expected one of: {string.Join(", ", Functions.Keys)})");
        }

        int close = text.LastIndexOf(')');
        var arguments = SplitArguments(text, open + 1, close, where);
        if (arguments.Count < signature.Min || arguments.Count > signature.Max)
        {
            throw new ScenarioException(where.Shifted(open), $"{function} takes {Count(signature)}; usage: {signature.Usage}");
        }

        return new Step(at, result, function, arguments, where, text[callStart..].Trim());
    }

    private static string Count((int Min, int Max, string Usage) signature) =>
        signature.Min == signature.Max ? $"{signature.Min} argument(s)" : $"{signature.Min} to {signature.Max} arguments";

    private static List<StepArgument> SplitArguments(string text, int start, int end, SourceSpan where)
    {
        var arguments = new List<StepArgument>();
        int i = start;
        while (i < end)
        {
            SkipSpaces(text, ref i);
            if (i >= end)
            {
                break;
            }

            int argumentStart = i;
            string value;
            if (text[i] == '"')
            {
                int quote = i + 1;
                while (quote < text.Length && text[quote] != '"')
                {
                    quote += text[quote] == '\\' ? 2 : 1;
                }

                if (quote >= text.Length || quote > end)
                {
                    throw new ScenarioException(where.Shifted(i), "unclosed string (a '\"' is missing)");
                }

                value = text[i..(quote + 1)];
                i = quote + 1;
            }
            else
            {
                while (i < end && text[i] != ',')
                {
                    i++;
                }

                value = text[argumentStart..i].Trim();
            }

            if (value.Length == 0)
            {
                throw new ScenarioException(where.Shifted(argumentStart), "empty argument");
            }

            string? name = null;
            int assign = value.IndexOf('=', StringComparison.Ordinal);
            if (!value.StartsWith('"') && assign > 0)
            {
                name = value[..assign].Trim();
                value = value[(assign + 1)..].Trim();
            }

            arguments.Add(new StepArgument(name, value, where.Shifted(argumentStart)));
            SkipSpaces(text, ref i);
            if (i < end && text[i] == ',')
            {
                i++;
            }
            else if (i < end)
            {
                throw new ScenarioException(where.Shifted(i), $"expected ',' or ')' after an argument, got {InputText.Quote(text[i].ToString())}");
            }
        }

        return arguments;
    }

    public static bool IsIdentifier(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void SkipSpaces(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}
