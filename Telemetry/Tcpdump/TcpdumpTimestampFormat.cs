namespace TcpActors.Telemetry;

/// <summary>tcpdump's timestamp options, named for what they print.</summary>
public enum TcpdumpTimestampFormat : byte
{
    /// <summary>No option: time of day, <c>12:41:00.029841</c>.</summary>
    TimeOfDay,

    /// <summary><c>-t</c>: no timestamp at all.</summary>
    None,

    /// <summary><c>-tt</c>: seconds since the Unix epoch, <c>1795256014.059486</c>.</summary>
    EpochSeconds,

    /// <summary><c>-ttt</c>: time since the previous printed line, <c> 00:00:00.000012</c> (sign column first).</summary>
    SincePrevious,

    /// <summary><c>-tttt</c>: date and time of day, <c>2026-11-21 10:13:34.059486</c>.</summary>
    DateAndTime,

    /// <summary><c>-ttttt</c>: time since the first printed line, <c> 00:00:03.093803</c>.</summary>
    SinceFirst,
}
