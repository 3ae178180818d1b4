using System.Globalization;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>Decides every expectation of a finished run.</summary>
internal static class ExpectationChecker
{
    public static List<ExpectationResult> Check(Scenario scenario, Topology topology, IReadOnlyList<CallRecord> calls, SegmentRecorder segments, Dictionary<StateExpectation, ExpectationResult> stateResults, IReadOnlyList<(SimTime At, string Line)> trace) =>
        scenario.Expectations.Select(expectation => expectation switch
        {
            StateExpectation state => stateResults.TryGetValue(state, out var result)
                ? result
                : new ExpectationResult(state, false, $"the run ended before {state.At}"),
            CallExpectation call => Call(call, calls),
            SegmentsExpectation pattern => Segments(pattern, segments),
            CounterExpectation counter => Counter(counter, topology),
            TraceExpectation lines => Trace(lines, trace),
            _ => new ExpectationResult(expectation, false, "unknown expectation"),
        }).ToList();

    private static ExpectationResult Call(CallExpectation expectation, IReadOnlyList<CallRecord> calls)
    {
        var call = calls.FirstOrDefault(c => c.Application == expectation.Application && c.Function == expectation.Function && c.Occurrence == expectation.Occurrence);
        if (call is null)
        {
            return new ExpectationResult(expectation, false, "the call had not returned when the run ended");
        }

        bool resultMatches = string.Equals(call.Result, expectation.Result, StringComparison.Ordinal)
            || string.Equals(call.Result, expectation.Result + " bytes", StringComparison.Ordinal);
        bool timeMatches = expectation.At is not { } at || Math.Abs((call.Returned - (SimTime.Zero + at)).Nanoseconds) <= expectation.Tolerance.Nanoseconds;
        string detail = resultMatches && timeMatches ? "" : $"returned {call.Result} at {call.Returned} s";
        return new ExpectationResult(expectation, resultMatches && timeMatches, detail);
    }

    private static ExpectationResult Segments(SegmentsExpectation expectation, SegmentRecorder recorder)
    {
        var observed = recorder.Between(expectation.From, expectation.To);
        bool passed = expectation.Pattern.Matches(observed);
        return new ExpectationResult(expectation, passed, passed ? "" : "saw " + (observed.Count == 0 ? "no segments" : SegmentPattern.Render(observed)));
    }

    private static ExpectationResult Trace(TraceExpectation expectation, IReadOnlyList<(SimTime At, string Line)> trace)
    {
        var matching = trace.Where(t => t.At >= SimTime.Zero + expectation.From && t.At <= SimTime.Zero + expectation.To
            && t.Line.Contains(expectation.Text, StringComparison.Ordinal)).ToList();
        bool passed = expectation.Count is { } count ? matching.Count == count : matching.Count > 0;
        string detail = passed ? "" : string.Create(CultureInfo.InvariantCulture, $"{matching.Count} line(s) matched") + (matching.Count > 0 ? ", first: " + matching[0].Line : "");
        return new ExpectationResult(expectation, passed, detail);
    }

    private static ExpectationResult Counter(CounterExpectation expectation, Topology topology)
    {
        var property = CounterNames.Find(expectation.Counter)!;
        long value = (long)property.GetValue(Tcp.StackOf(topology[expectation.Host]).Counters)!;
        bool passed = expectation.Comparison switch
        {
            "equals" => value == expectation.Value,
            "at-least" => value >= expectation.Value,
            _ => value <= expectation.Value,
        };
        return new ExpectationResult(expectation, passed, passed ? "" : string.Create(CultureInfo.InvariantCulture, $"it is {value}"));
    }
}
