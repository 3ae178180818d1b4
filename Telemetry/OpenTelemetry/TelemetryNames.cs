namespace TcpActors.Telemetry;

/// <summary>
/// The one catalogue of OpenTelemetry names TcpActors emits: the ActivitySource and Meter, span and span
/// event names, attribute keys (from the OpenTelemetry semantic-convention registry where one exists, ours
/// under <c>tcp.</c> and <c>tcpactors.</c> otherwise) and instruments with their UCUM units.
/// docs/telemetry.md lists each with its meaning; tests check the dashboards against this list.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The ActivitySource of connection spans.</summary>
    public const string ActivitySourceName = "TcpActors";

    /// <summary>The Meter of every instrument.</summary>
    public const string MeterName = "TcpActors";

    /// <summary>The default <c>service.name</c> of exported telemetry (OTEL_SERVICE_NAME overrides it).</summary>
    public const string DefaultServiceName = "tcpactors";

    /// <summary>Span and span event names.</summary>
    public static class Spans
    {
        /// <summary>One connection as one host sees it, from its first SYN to the end of TIME_WAIT or its final RST/timeout.</summary>
        public const string Connection = "tcp.connection";

        /// <summary>Optional: one segment, from leaving its sender to arriving at its receiver (or being dropped).</summary>
        public const string Segment = "tcp.segment";

        /// <summary>Event: the connection changed state.</summary>
        public const string StateChangeEvent = "tcp.state_change";

        /// <summary>Event: a segment of the connection was sent again.</summary>
        public const string RetransmissionEvent = "tcp.retransmission";

        /// <summary>Event: an RST of the connection was sent or received.</summary>
        public const string ResetEvent = "tcp.reset";

        /// <summary>Event: the socket reported an error to its application.</summary>
        public const string ErrorEvent = "tcp.error";

        /// <summary>Event: a chaos rule (iptables, netem) decided the fate of one of the connection's packets.</summary>
        public const string ChaosVerdictEvent = "tcpactors.chaos.verdict";

        /// <summary>Event: one of the connection's packets was discarded for a reason other than a chaos rule.</summary>
        public const string DropEvent = "tcpactors.drop";
    }

    /// <summary>Attribute keys.</summary>
    public static class Attributes
    {
        // OpenTelemetry semantic conventions (network.*, client.*, server.*, error.type).
        public const string NetworkTransport = "network.transport";
        public const string NetworkType = "network.type";
        public const string NetworkPeerAddress = "network.peer.address";
        public const string NetworkPeerPort = "network.peer.port";
        public const string NetworkLocalAddress = "network.local.address";
        public const string NetworkLocalPort = "network.local.port";
        public const string NetworkConnectionState = "network.connection.state";
        public const string NetworkIoDirection = "network.io.direction";
        public const string ClientAddress = "client.address";
        public const string ClientPort = "client.port";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string ErrorType = "error.type";

        // TCP details that have no semantic convention.
        public const string TcpState = "tcp.state";
        public const string TcpStatePrevious = "tcp.state.previous";
        public const string TcpSeq = "tcp.seq";
        public const string TcpAck = "tcp.ack";
        public const string TcpFlags = "tcp.flags";
        public const string TcpLength = "tcp.length";
        public const string TcpErrno = "tcp.errno";
        public const string TcpRetransmissionKind = "tcp.retransmission.kind";

        // TcpActors' own.
        public const string HostName = "tcpactors.host.name";
        public const string RunSeed = "tcpactors.run.seed";
        public const string RunName = "tcpactors.run.name";
        public const string Reason = "tcpactors.reason";
        public const string DropReason = "tcpactors.drop.reason";
        public const string ChaosRule = "tcpactors.chaos.rule";
        public const string ChaosAction = "tcpactors.chaos.action";
        public const string SpanTruncated = "tcpactors.span.truncated";
    }

    /// <summary>Instrument names (dotted, lowercase) and their UCUM units.</summary>
    public static class Instruments
    {
        public const string Connections = "tcpactors.tcp.connections";
        public const string ConnectionsUnit = "{connection}";

        public const string TimeWaitEntries = "tcpactors.tcp.time_wait.entries";
        public const string TimeWaitEntriesUnit = "{entry}";

        public const string PortsInUse = "tcpactors.tcp.ports.in_use";
        public const string PortsInUseUnit = "{port}";

        public const string EphemeralPortRange = "tcpactors.tcp.ports.ephemeral_range";
        public const string EphemeralPortRangeUnit = "{port}";

        public const string Segments = "tcpactors.tcp.segments";
        public const string SegmentsUnit = "{segment}";

        public const string Retransmissions = "tcpactors.tcp.retransmissions";
        public const string RetransmissionsUnit = "{segment}";

        public const string Resets = "tcpactors.tcp.resets";
        public const string ResetsUnit = "{segment}";

        public const string ConnectErrors = "tcpactors.tcp.connect.errors";
        public const string ConnectErrorsUnit = "{error}";

        public const string SocketErrors = "tcpactors.tcp.socket.errors";
        public const string SocketErrorsUnit = "{error}";

        public const string ChaosVerdicts = "tcpactors.chaos.verdicts";
        public const string ChaosVerdictsUnit = "{packet}";

        public const string Drops = "tcpactors.network.drops";
        public const string DropsUnit = "{packet}";

        public const string SimulatedTime = "tcpactors.simulation.time";
        public const string SimulatedTimeUnit = "s";

        public const string SpeedRatio = "tcpactors.simulation.speed";
        public const string SpeedRatioUnit = "1";

        public const string Events = "tcpactors.simulation.events";
        public const string EventsUnit = "{event}";
    }
}
