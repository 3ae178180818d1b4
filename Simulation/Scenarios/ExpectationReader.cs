using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Runtime;
using YamlDotNet.RepresentationModel;

namespace TcpActors.Simulation;

/// <summary>Reads the <c>expect:</c> list: socket states, call results, segment patterns and counters.</summary>
internal static class ExpectationReader
{
    private static readonly string[] s_comparisons = ["equals", "at-least", "at-most"];

    public static List<Expectation> Read(YamlReading reading, YamlNode node, HashSet<string> hosts, IReadOnlyList<ApplicationSpec> applications)
    {
        var expectations = new List<Expectation>();
        foreach (var item in reading.Sequence(node, "expect"))
        {
            var map = reading.Map(item, "an expectation");
            Expectation expectation = map switch
            {
                _ when map.ContainsKey("state") => State(reading, item, hosts),
                _ when map.ContainsKey("call") => Call(reading, item, applications),
                _ when map.ContainsKey("segments") => Segments(reading, item),
                _ when map.ContainsKey("counter") => Counter(reading, item, hosts),
                _ when map.ContainsKey("load") => throw new ScenarioException(reading.At(item), "'load' expectations go with a 'workload' section"),
                _ when map.ContainsKey("trace") => Trace(reading, item),
                _ => throw new ScenarioException(reading.At(item), "an expectation starts with one of: state, call, segments, counter, trace"),
            };
            expectations.Add(expectation);
        }

        return expectations;
    }

    private static StateExpectation State(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var map = reading.Map(node, "a state expectation", "state", "host", "at", "local", "peer", "recv-q", "send-q");
        var stateNode = map["state"];
        string stateText = reading.Scalar(stateNode, "state");
        bool absent = stateText is "none" or "absent" or "closed";
        TcpState? state = null;
        if (!absent && stateText != "any")
        {
            state = TcpStateNames.TryParse(stateText, out var parsed)
                ? parsed
                : throw new ScenarioException(reading.At(stateNode), $"unknown TCP state {InputText.Quote(stateText)} (e.g. ESTABLISHED, TIME-WAIT, FIN_WAIT2, CLOSE-WAIT, SYN-RECV, LISTEN; 'none' for no socket)");
        }

        var hostNode = reading.Required(map, "host", node, "a state expectation");
        string host = reading.Scalar(hostNode, "host");
        ScenarioLoader.RequireHost(hosts, host, reading.At(hostNode));
        foreach (string queue in (string[])["recv-q", "send-q"])
        {
            if (absent && map.TryGetValue(queue, out var queueNode))
            {
                throw new ScenarioException(reading.At(queueNode), $"{queue} does not go with state {stateText}: no connection is there to measure");
            }
        }

        string? local = AddressPattern(reading, map, "local");
        string? peer = AddressPattern(reading, map, "peer");
        return new StateExpectation(
            reading.At(node),
            reading.Duration(reading.Required(map, "at", node, "a state expectation"), "at"),
            host,
            local,
            peer,
            state,
            map.TryGetValue("recv-q", out var recvQ) ? (int)reading.Integer(recvQ, "recv-q", 0, int.MaxValue) : null,
            map.TryGetValue("send-q", out var sendQ) ? (int)reading.Integer(sendQ, "send-q", 0, int.MaxValue) : null,
            absent);
    }

    /// <summary>Address patterns: <c>127.0.0.1:60000</c>, <c>*:60000</c>, <c>10.0.0.1:*</c>, <c>*</c>.</summary>
    private static string? AddressPattern(YamlReading reading, Dictionary<string, YamlNode> map, string key)
    {
        if (!map.TryGetValue(key, out var node))
        {
            return null;
        }

        string text = reading.Scalar(node, key);
        if (text == "*")
        {
            return text;
        }

        int colon = text.LastIndexOf(':');
        bool addressOk = colon > 0 && (text[..colon] == "*" || Network.IPv4Address.TryParse(text[..colon], out _));
        bool portOk = colon > 0 && (text[(colon + 1)..] == "*" || ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) && port > 0);
        return addressOk && portOk
            ? text
            : throw new ScenarioException(reading.At(node), $"{key} must be ADDRESS:PORT with '*' for any part and a port from 1 to 65535 (e.g. 127.0.0.1:60000, *:60000), not {InputText.Quote(text)}");
    }

    private static CallExpectation Call(YamlReading reading, YamlNode node, IReadOnlyList<ApplicationSpec> applications)
    {
        var map = reading.Map(node, "a call expectation", "call", "app", "occurrence", "result", "at", "tolerance");
        var appNode = reading.Required(map, "app", node, "a call expectation");
        string app = reading.Scalar(appNode, "app");
        var application = applications.FirstOrDefault(a => a.Name == app)
            ?? throw new ScenarioException(reading.At(appNode), $"no application named {InputText.Quote(app)} (apps: {string.Join(", ", applications.Select(a => a.Name))})");
        var callNode = map["call"];
        string function = reading.Scalar(callNode, "call");
        int calls = application.Steps.Count(s => s.Function == function);
        if (calls == 0)
        {
            throw new ScenarioException(reading.At(callNode), $"application {InputText.Quote(app)} never calls {InputText.Escape(function)}()");
        }

        int occurrence = map.TryGetValue("occurrence", out var occurrenceNode) ? (int)reading.Integer(occurrenceNode, "occurrence", 1, calls) : 1;
        var resultNode = reading.Required(map, "result", node, "a call expectation");
        string result = reading.Scalar(resultNode, "result");
        if (!IsResult(result))
        {
            throw new ScenarioException(reading.At(resultNode), $"result must be ok, eof, a byte count, 'N bytes then eof' (recv_all), or an errno name such as ECONNREFUSED, ETIMEDOUT, ECONNRESET, EPIPE, EADDRINUSE, EADDRNOTAVAIL; not {InputText.Quote(result)}");
        }

        if (ResultMismatch(function, result) is { } mismatch)
        {
            throw new ScenarioException(reading.At(resultNode), mismatch);
        }

        if (map.TryGetValue("tolerance", out var looseNode) && !map.ContainsKey("at"))
        {
            throw new ScenarioException(reading.At(looseNode), "tolerance goes with 'at' (how far from that time the call may return)");
        }

        return new CallExpectation(
            reading.At(node),
            app,
            function,
            occurrence,
            result,
            map.TryGetValue("at", out var atNode) ? reading.Duration(atNode, "at") : null,
            map.TryGetValue("tolerance", out var toleranceNode) ? reading.Duration(toleranceNode, "tolerance") : Duration.Zero);
    }

    /// <summary>ok, eof, an errno name, a byte count (<c>100</c> or <c>100 bytes</c>), or recv_all's <c>N bytes then eof|ERRNO</c>.</summary>
    private static bool IsResult(string text)
    {
        const string Then = " bytes then ";
        int then = text.IndexOf(Then, StringComparison.Ordinal);
        if (then > 0)
        {
            string end = text[(then + Then.Length)..];
            return IsByteCount(text[..then]) && (end == "eof" || IsErrno(end));
        }

        return text is "ok" or "eof" || IsErrno(text) || IsByteCount(text.Replace(" bytes", "", StringComparison.Ordinal));
    }

    /// <summary>Why <paramref name="result"/> is one <paramref name="function"/> never returns, or null when it may.</summary>
    private static string? ResultMismatch(string function, string result)
    {
        if (IsErrno(result))
        {
            return null;
        }

        bool then = result.Contains(" bytes then ", StringComparison.Ordinal);
        bool read = !then && result != "ok";
        return function switch
        {
            "recv" when then || !read => $"recv() returns a byte count, eof or an errno name, not {InputText.Quote(result)}{(then ? " ('N bytes then eof' is what recv_all returns)" : "")}",
            "recv_all" when !then => $"recv_all() returns 'N bytes then eof', 'N bytes then ERRNO' or an errno name, not {InputText.Quote(result)}",
            "recv" or "recv_all" => null,
            _ when then || read => $"{function}() returns ok or an errno name, not {InputText.Quote(result)}",
            _ => null,
        };
    }

    private static bool IsErrno(string text) => text == ScriptedApplication.BadDescriptor || (text.StartsWith('E') && Enum.TryParse<Errno>(text, out _));

    private static bool IsByteCount(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static SegmentsExpectation Segments(YamlReading reading, YamlNode node)
    {
        var map = reading.Map(node, "a segments expectation", "segments", "from", "to");
        var patternNode = map["segments"];
        var pattern = SegmentPattern.Parse(reading.Scalar(patternNode, "segments"), reading.ValueAt(patternNode));
        var from = map.TryGetValue("from", out var fromNode) ? reading.Duration(fromNode, "from") : Duration.Zero;
        var to = map.TryGetValue("to", out var toNode) ? reading.Duration(toNode, "to") : Duration.MaxValue;
        if (to < from)
        {
            throw new ScenarioException(reading.At(node), $"'to' ({to}) is before 'from' ({from})");
        }

        return new SegmentsExpectation(reading.At(node), from, to, pattern);
    }

    private static TraceExpectation Trace(YamlReading reading, YamlNode node)
    {
        var map = reading.Map(node, "a trace expectation", "trace", "count", "from", "to");
        var textNode = map["trace"];
        string text = reading.Scalar(textNode, "trace");
        if (text.Length == 0)
        {
            throw new ScenarioException(reading.At(textNode), "trace needs the text a tcpdump line must contain, e.g. 'Flags [F.], seq 101, ack 51'");
        }

        var from = map.TryGetValue("from", out var fromNode) ? reading.Duration(fromNode, "from") : Duration.Zero;
        var to = map.TryGetValue("to", out var toNode) ? reading.Duration(toNode, "to") : Duration.MaxValue;
        if (to < from)
        {
            throw new ScenarioException(reading.At(node), $"'to' ({to}) is before 'from' ({from})");
        }

        int? count = map.TryGetValue("count", out var countNode) ? (int)reading.Integer(countNode, "count", 0, int.MaxValue) : null;
        return new TraceExpectation(reading.At(node), text, count, from, to);
    }

    private static CounterExpectation Counter(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var map = reading.Map(node, "a counter expectation", ["counter", "host", .. s_comparisons]);
        var counterNode = map["counter"];
        string counter = reading.Scalar(counterNode, "counter");
        if (CounterNames.Find(counter) is null)
        {
            throw new ScenarioException(reading.At(counterNode), $"unknown counter {InputText.Quote(counter)} (known: {string.Join(", ", CounterNames.All)})");
        }

        var hostNode = reading.Required(map, "host", node, "a counter expectation");
        string host = reading.Scalar(hostNode, "host");
        ScenarioLoader.RequireHost(hosts, host, reading.At(hostNode));
        var comparisons = s_comparisons.Where(map.ContainsKey).ToList();
        if (comparisons.Count != 1)
        {
            throw new ScenarioException(reading.At(node), "a counter expectation has exactly one of: equals, at-least, at-most");
        }

        return new CounterExpectation(reading.At(node), host, counter, comparisons[0], reading.Integer(map[comparisons[0]], comparisons[0], 0, long.MaxValue));
    }
}

/// <summary>Counter names a scenario may check: TcpCounters' properties, also under their Linux (nstat) names.</summary>
internal static class CounterNames
{
    private static readonly Dictionary<string, string> s_linuxNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TcpActiveOpens"] = nameof(TcpCounters.ActiveOpens),
        ["TcpPassiveOpens"] = nameof(TcpCounters.PassiveOpens),
        ["TcpAttemptFails"] = nameof(TcpCounters.AttemptFails),
        ["TcpEstabResets"] = nameof(TcpCounters.EstablishedResets),
        ["TcpRetransSegs"] = nameof(TcpCounters.RetransmittedSegments),
        ["TcpInSegs"] = nameof(TcpCounters.InSegments),
        ["TcpInCsumErrors"] = nameof(TcpCounters.InCsumErrors),
        ["TcpOutRsts"] = nameof(TcpCounters.OutResets),
        ["TCPTimeWaitOverflow"] = nameof(TcpCounters.TimeWaitOverflow),
        ["TcpExtTCPTimeWaitOverflow"] = nameof(TcpCounters.TimeWaitOverflow),
        ["TWRecycled"] = nameof(TcpCounters.TimeWaitRecycled),
        ["ListenOverflows"] = nameof(TcpCounters.ListenOverflows),
        ["ListenDrops"] = nameof(TcpCounters.ListenDrops),
        ["TCPLossProbes"] = nameof(TcpCounters.LossProbes),
        ["TCPFastRetrans"] = nameof(TcpCounters.FastRetransmits),
        ["TCPSlowStartRetrans"] = nameof(TcpCounters.SlowStartRetransmits),
        ["TCPTimeouts"] = nameof(TcpCounters.Timeouts),
        ["DelayedACKs"] = nameof(TcpCounters.DelayedAcks),
        ["TCPACKCompressed"] = nameof(TcpCounters.AcksCompressed),
        ["TCPAbortOnData"] = nameof(TcpCounters.AbortOnData),
        ["TCPAbortOnClose"] = nameof(TcpCounters.AbortOnClose),
        ["TCPAbortOnTimeout"] = nameof(TcpCounters.AbortOnTimeout),
        ["TCPAbortOnLinger"] = nameof(TcpCounters.AbortOnLinger),
        ["TCPChallengeACK"] = nameof(TcpCounters.ChallengeAcks),
        ["OutOfWindowIcmps"] = nameof(TcpCounters.OutOfWindowIcmps),
        ["LockDroppedIcmps"] = nameof(TcpCounters.LockDroppedIcmps),
        ["SyncookiesSent"] = nameof(TcpCounters.SyncookiesSent),
        ["SyncookiesRecv"] = nameof(TcpCounters.SyncookiesReceived),
    };

    public static IEnumerable<string> All =>
        typeof(TcpCounters).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal);

    /// <summary>The TcpCounters property for a name (ours or Linux's), or null.</summary>
    public static System.Reflection.PropertyInfo? Find(string name)
    {
        string property = s_linuxNames.TryGetValue(name, out var mapped) ? mapped : name;
        return typeof(TcpCounters).GetProperty(property);
    }
}
