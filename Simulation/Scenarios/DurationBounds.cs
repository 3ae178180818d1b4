using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// With <c>duration:</c> the run stops at that time, so a step, chaos command, snapshot or expectation set later would
/// never happen: the loader refuses it at its line instead of running without it (a snapshot never printed, a rule
/// never added, an expectation that can only fail).
/// </summary>
internal static class DurationBounds
{
    public static void Check(Scenario scenario)
    {
        if (scenario.Duration is not { } end)
        {
            return;
        }

        void Refuse(Duration at, SourceSpan where, string what)
        {
            if (at > end)
            {
                throw new ScenarioException(where, $"{what} {at} is after the end of the run (duration: {end}): it would never happen");
            }
        }

        foreach (var application in scenario.Applications)
        {
            foreach (var step in application.Steps)
            {
                if (step.At is { } at)
                {
                    Refuse(at, step.Where, "the step time");
                }
            }
        }

        foreach (var step in scenario.Chaos)
        {
            Refuse(step.At, step.Where, "the chaos step's at");
        }

        foreach (var snapshot in scenario.Snapshots)
        {
            Refuse(snapshot.At, snapshot.Where, "the snapshot's at");
        }

        foreach (var expectation in scenario.Expectations)
        {
            switch (expectation)
            {
                case StateExpectation state:
                    Refuse(state.At, state.Where, "the expectation's at");
                    break;
                case CallExpectation { At: { } at } call:
                    Refuse(at, call.Where, "the expectation's at");
                    break;
                case SegmentsExpectation segments:
                    Refuse(segments.From, segments.Where, "the window's from");
                    break;
                case TraceExpectation trace:
                    Refuse(trace.From, trace.Where, "the window's from");
                    break;
            }
        }

        if (scenario.Capture.From is { } from)
        {
            Refuse(from, scenario.Capture.FromAt, "the capture's from");
        }
    }
}
