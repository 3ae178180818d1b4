using System.Diagnostics;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// An in-process ActivityListener on one tracer's source (sources are per tracer, so tests running in
/// parallel do not see each other's spans) that samples everything and keeps the stopped activities.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];

    public SpanRecorder(ActivitySource source, ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = candidate => ReferenceEquals(candidate, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStopped = activity =>
            {
                lock (_stopped)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    public IReadOnlyList<Activity> Connections => Stopped.Where(a => a.OperationName == TelemetryNames.Spans.Connection).ToList();

    public Activity Connection(string host) => Assert.Single(Connections, a => (string?)a.GetTagItem(TelemetryNames.Attributes.HostName) == host);

    public void Dispose() => _listener.Dispose();
}

internal static class ActivityAssertions
{
    public static string? Tag(this Activity activity, string key) => activity.GetTagItem(key)?.ToString();

    public static object? EventTag(this ActivityEvent activityEvent, string key) =>
        activityEvent.Tags.FirstOrDefault(t => t.Key == key).Value;

    public static string[] StatesVisited(this Activity activity) =>
        activity.Events.Where(e => e.Name == TelemetryNames.Spans.StateChangeEvent)
            .Select(e => (string)e.EventTag(TelemetryNames.Attributes.TcpState)!).ToArray();
}
