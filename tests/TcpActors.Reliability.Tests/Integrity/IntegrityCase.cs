using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpActors.Reliability.Tests;

/// <summary>How an application ends its side of a connection once its writes are done.</summary>
public enum Ending
{
    /// <summary>shutdown(SHUT_WR), read until end of stream, then close().</summary>
    ShutdownWrite,

    /// <summary>Read until end of stream, then close() (the classic server).</summary>
    CloseAfterEndOfStream,

    /// <summary>close() at once, whatever is still unread (a reset if anything is).</summary>
    CloseNow,

    /// <summary>SO_LINGER{1,0} then close(): an abortive close with RST.</summary>
    Abort,

    /// <summary>SO_LINGER{1,3} then close(): close() returns when the FIN is acknowledged, or after 3 s.</summary>
    LingerClose,
}

/// <summary>What kind of fault a chaos step injects.</summary>
public enum FaultKind
{
    /// <summary>A <c>tc qdisc add|change dev eth0 root netem …</c> line on the host.</summary>
    Netem,

    /// <summary>An iptables rule appended on the host, deleted after <see cref="ChaosPlan.DurationMilliseconds"/>.</summary>
    Iptables,

    /// <summary>The two hosts partitioned from each other, healed after <see cref="ChaosPlan.DurationMilliseconds"/>.</summary>
    Partition,
}

/// <summary>One send() call: how many bytes, after how long since the previous call returned.</summary>
public sealed record WritePlan(int Bytes, int DelayMilliseconds);

/// <summary>
/// One application's side of a connection: what it writes and when, how it reads (0 = pushed reads with
/// <c>Register</c>; otherwise <c>Read(ReadChunk)</c> every <see cref="ReadIntervalMilliseconds"/>), how it ends.
/// </summary>
public sealed record EndpointPlan(
    IReadOnlyList<WritePlan> Writes,
    Ending Ending,
    int ReadChunk,
    int ReadIntervalMilliseconds,
    int? ReceiveBuffer,
    bool NoDelay)
{
    [JsonIgnore]
    public int BytesPlanned => Writes.Sum(w => w.Bytes);
}

/// <summary>One connection: the client starts after <see cref="StartMilliseconds"/>; the server listens on its own port.</summary>
public sealed record ConnectionPlan(int StartMilliseconds, EndpointPlan Client, EndpointPlan Server);

/// <summary>A fault on one host (or between the two) from <see cref="AtMilliseconds"/>; every fault is removed when the faults phase ends.</summary>
public sealed record ChaosPlan(int AtMilliseconds, FaultKind Kind, string Host, string Text, int DurationMilliseconds);

/// <summary>
/// One data-integrity run, complete: the seed of the simulation (netem and iptables draws, ISNs, payload
/// bytes), the link, sysctls, the connections and the chaos. Serialised as JSON it replays the run exactly
/// (see <see cref="ToJson"/> and docs/reliability.md).
/// </summary>
public sealed record IntegrityCase(
    ulong Seed,
    int LinkDelayMicroseconds,
    int FaultsMilliseconds,
    IReadOnlyList<string> Sysctls,
    IReadOnlyList<ConnectionPlan> Connections,
    IReadOnlyList<ChaosPlan> Chaos)
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static IntegrityCase FromJson(string json) =>
        JsonSerializer.Deserialize<IntegrityCase>(json, s_json) ?? throw new ArgumentException("not an integrity case: " + json);

    /// <summary>The JSON form, so that FsCheck prints a case that can be replayed as it is.</summary>
    public override string ToString() => ToJson();
}
