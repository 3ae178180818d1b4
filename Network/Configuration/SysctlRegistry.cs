using System.Globalization;

namespace TcpActors.Network;

/// <summary>A sysctl name or value was rejected; the message is complete and names the setting.</summary>
public sealed class SysctlException : Exception
{
    public SysctlException()
    {
    }

    public SysctlException(string message)
        : base(message)
    {
    }

    public SysctlException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Sets and reads <see cref="Sysctls"/> by their Linux names (<c>net.ipv4.tcp_tw_reuse</c>), accepting
/// the forms <c>sysctl</c> accepts: dots or slashes, and whitespace-separated vectors for ranges
/// (<c>"32768 60999"</c>). Ranges are those of the kernel's proc handlers.
/// </summary>
public static class SysctlRegistry
{
    private static readonly SortedDictionary<string, Definition> s_definitions = Build();

    /// <summary>Every supported name, sorted.</summary>
    public static IEnumerable<string> Names => s_definitions.Keys;

    public static bool IsKnown(string name) => s_definitions.ContainsKey(Normalize(name));

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, or throws <see cref="SysctlException"/> saying why not.</summary>
    public static void Set(Sysctls target, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(target);
        string key = Normalize(name);
        if (!s_definitions.TryGetValue(key, out var definition))
        {
            string hint = Suggest(key);
            throw new SysctlException($"unknown sysctl '{name}'{hint}");
        }

        definition.Set(target, key, value.Trim());
    }

    /// <summary>The value as <c>sysctl -n</c> prints it.</summary>
    public static string Get(Sysctls target, string name)
    {
        string key = Normalize(name);
        return s_definitions.TryGetValue(key, out var definition)
            ? definition.Get(target)
            : throw new SysctlException($"unknown sysctl '{name}'{Suggest(key)}");
    }

    private static string Normalize(string name) => name.Trim().Replace('/', '.');

    private static string Suggest(string key)
    {
        string tail = key[(key.LastIndexOf('.') + 1)..];
        var close = s_definitions.Keys.FirstOrDefault(k => k.EndsWith("." + tail, StringComparison.Ordinal));
        return close is null ? " (see `tcpactors sysctls` for the supported ones)" : $" (did you mean '{close}'?)";
    }

    private static SortedDictionary<string, Definition> Build()
    {
        var table = new SortedDictionary<string, Definition>(StringComparer.Ordinal);
        void Int(string name, int min, int max, Func<Sysctls, int> get, Action<Sysctls, int> set) =>
            table.Add(name, new Definition(
                s => get(s).ToString(CultureInfo.InvariantCulture),
                (s, key, text) => set(s, ParseInt(key, text, min, max))));

        Int("net.ipv4.tcp_syn_retries", 1, 127, s => s.TcpSynRetries, (s, v) => s.TcpSynRetries = v);
        Int("net.ipv4.tcp_syn_linear_timeouts", 0, 127, s => s.TcpSynLinearTimeouts, (s, v) => s.TcpSynLinearTimeouts = v);
        Int("net.ipv4.tcp_synack_retries", 0, 255, s => s.TcpSynackRetries, (s, v) => s.TcpSynackRetries = v);
        Int("net.ipv4.tcp_retries1", 0, 255, s => s.TcpRetries1, (s, v) => s.TcpRetries1 = v);
        Int("net.ipv4.tcp_retries2", 0, 255, s => s.TcpRetries2, (s, v) => s.TcpRetries2 = v);
        Int("net.ipv4.tcp_orphan_retries", 0, 255, s => s.TcpOrphanRetries, (s, v) => s.TcpOrphanRetries = v);
        Int("net.ipv4.tcp_fin_timeout", 0, int.MaxValue / 1000, s => s.TcpFinTimeout, (s, v) => s.TcpFinTimeout = v);
        Int("net.ipv4.tcp_keepalive_time", 1, 32767, s => s.TcpKeepaliveTime, (s, v) => s.TcpKeepaliveTime = v);
        Int("net.ipv4.tcp_keepalive_intvl", 1, 32767, s => s.TcpKeepaliveIntvl, (s, v) => s.TcpKeepaliveIntvl = v);
        Int("net.ipv4.tcp_keepalive_probes", 1, 127, s => s.TcpKeepaliveProbes, (s, v) => s.TcpKeepaliveProbes = v);
        Int("net.ipv4.tcp_tw_reuse", 0, 2, s => s.TcpTwReuse, (s, v) => s.TcpTwReuse = v);
        Int("net.ipv4.tcp_tw_reuse_delay", 1, 2_000_000, s => s.TcpTwReuseDelay, (s, v) => s.TcpTwReuseDelay = v);
        Int("net.ipv4.tcp_rfc1337", 0, 1, s => s.TcpRfc1337, (s, v) => s.TcpRfc1337 = v);
        Int("net.ipv4.tcp_max_tw_buckets", 0, int.MaxValue, s => s.TcpMaxTwBuckets, (s, v) => s.TcpMaxTwBuckets = v);
        Int("net.ipv4.tcp_abort_on_overflow", 0, 1, s => s.TcpAbortOnOverflow, (s, v) => s.TcpAbortOnOverflow = v);
        Int("net.ipv4.tcp_timestamps", 0, 2, s => s.TcpTimestamps, (s, v) => s.TcpTimestamps = v);
        Int("net.ipv4.tcp_sack", 0, 1, s => s.TcpSack, (s, v) => s.TcpSack = v);
        Int("net.ipv4.tcp_window_scaling", 0, 1, s => s.TcpWindowScaling, (s, v) => s.TcpWindowScaling = v);
        Int("net.ipv4.tcp_syncookies", 0, 2, s => s.TcpSyncookies, (s, v) => s.TcpSyncookies = v);
        Int("net.ipv4.tcp_max_syn_backlog", 1, int.MaxValue, s => s.TcpMaxSynBacklog, (s, v) => s.TcpMaxSynBacklog = v);
        Int("net.ipv4.tcp_early_retrans", 0, 4, s => s.TcpEarlyRetrans, (s, v) => s.TcpEarlyRetrans = v);
        Int("net.ipv4.tcp_pacing_ss_ratio", 0, 1000, s => s.TcpPacingSsRatio, (s, v) => s.TcpPacingSsRatio = v);
        Int("net.ipv4.tcp_pacing_ca_ratio", 0, 1000, s => s.TcpPacingCaRatio, (s, v) => s.TcpPacingCaRatio = v);
        Int("net.ipv4.tcp_frto", 0, 2, s => s.TcpFrto, (s, v) => s.TcpFrto = v);
        Int("net.ipv4.tcp_reordering", 1, int.MaxValue, s => s.TcpReordering, (s, v) => s.TcpReordering = v);
        Int("net.ipv4.tcp_max_reordering", 1, int.MaxValue, s => s.TcpMaxReordering, (s, v) => s.TcpMaxReordering = v);
        Int("net.ipv4.tcp_recovery", 0, 7, s => s.TcpRecovery, (s, v) => s.TcpRecovery = v);
        Int("net.ipv4.tcp_challenge_ack_limit", 0, int.MaxValue, s => s.TcpChallengeAckLimit, (s, v) => s.TcpChallengeAckLimit = v);
        Int("net.ipv4.tcp_invalid_ratelimit", 0, int.MaxValue, s => s.TcpInvalidRatelimit, (s, v) => s.TcpInvalidRatelimit = v);
        Int("net.ipv4.tcp_slow_start_after_idle", 0, 1, s => s.TcpSlowStartAfterIdle, (s, v) => s.TcpSlowStartAfterIdle = v);
        Int("net.ipv4.tcp_moderate_rcvbuf", 0, 1, s => s.TcpModerateRcvbuf, (s, v) => s.TcpModerateRcvbuf = v);
        Int("net.ipv4.tcp_comp_sack_delay_ns", 0, int.MaxValue, s => s.TcpCompSackDelayNs, (s, v) => s.TcpCompSackDelayNs = v);
        Int("net.ipv4.tcp_comp_sack_nr", 0, 255, s => s.TcpCompSackNr, (s, v) => s.TcpCompSackNr = v);
        Int("net.ipv4.ip_autobind_reuse", 0, 1, s => s.IpAutobindReuse, (s, v) => s.IpAutobindReuse = v);
        Int("net.ipv4.ip_forward", 0, 1, s => s.IpForward, (s, v) => s.IpForward = v);
        Int("net.ipv4.ip_default_ttl", 1, 255, s => s.IpDefaultTtl, (s, v) => s.IpDefaultTtl = v);
        Int("net.ipv4.icmp_ratelimit", 0, int.MaxValue, s => s.IcmpRatelimit, (s, v) => s.IcmpRatelimit = v);
        Int("net.ipv4.icmp_ratemask", 0, int.MaxValue, s => s.IcmpRatemask, (s, v) => s.IcmpRatemask = v);
        Int("net.ipv4.icmp_msgs_per_sec", 0, int.MaxValue, s => s.IcmpMsgsPerSec, (s, v) => s.IcmpMsgsPerSec = v);
        Int("net.ipv4.icmp_msgs_burst", 0, int.MaxValue, s => s.IcmpMsgsBurst, (s, v) => s.IcmpMsgsBurst = v);
        Int("net.core.somaxconn", 0, int.MaxValue, s => s.Somaxconn, (s, v) => s.Somaxconn = v);

        // proc_dointvec_minmax with extra1 = SOCK_MIN_RCVBUF (2304) and SOCK_MIN_SNDBUF (4608) (sysctl_net_core.c).
        Int("net.core.rmem_max", 2304, int.MaxValue, s => s.NetCoreRmemMax, (s, v) => s.NetCoreRmemMax = v);
        Int("net.core.wmem_max", 4608, int.MaxValue, s => s.NetCoreWmemMax, (s, v) => s.NetCoreWmemMax = v);
        table.Add("net.ipv4.tcp_rmem", Triple(s => s.TcpRmem, (s, v) => s.TcpRmem = v));
        table.Add("net.ipv4.tcp_wmem", Triple(s => s.TcpWmem, (s, v) => s.TcpWmem = v));
        table.Add("net.ipv4.tcp_congestion_control", new Definition(
            s => s.TcpCongestionControl,
            (s, key, text) => s.TcpCongestionControl = ParseCongestionControl(key, text)));
        table.Add("net.ipv4.ip_local_port_range", new Definition(
            s => string.Create(CultureInfo.InvariantCulture, $"{s.IpLocalPortRange.Low}\t{s.IpLocalPortRange.High}"),
            (s, key, text) => s.IpLocalPortRange = ParsePortRange(key, text)));
        table.Add("net.ipv4.ip_local_reserved_ports", new Definition(
            s => string.Join(',', s.IpLocalReservedPorts.Select(p => p.ToString(CultureInfo.InvariantCulture))),
            (s, key, text) => s.IpLocalReservedPorts = ParsePortList(key, text)));
        return table;
    }

    /// <summary>The algorithms tcp_available_congestion_control lists on the project machine; Linux answers ENOENT for others.</summary>
    private static string ParseCongestionControl(string key, string text) =>
        text is "reno" or "cubic" or "bbr" ? text : throw new SysctlException($"{key}: unknown congestion control '{text}' (available: reno cubic bbr)");

    private static Definition Triple(Func<Sysctls, (int, int, int)> get, Action<Sysctls, (int, int, int)> set) => new(
        s => string.Create(CultureInfo.InvariantCulture, $"{get(s).Item1}\t{get(s).Item2}\t{get(s).Item3}"),
        (s, key, text) =>
        {
            var parts = Words(text);
            if (parts.Length != 3)
            {
                throw new SysctlException($"{key}: expected three numbers (min default max), got '{text}'");
            }

            var numbers = parts.Select(p => ParseInt(key, p, 1, int.MaxValue)).ToArray();
            set(s, (numbers[0], numbers[1], numbers[2]));
        });

    private static (int, int) ParsePortRange(string key, string text)
    {
        var parts = Words(text);
        if (parts.Length != 2)
        {
            throw new SysctlException($"{key}: expected two ports \"LOW HIGH\", got '{text}'");
        }

        int low = ParseInt(key, parts[0], 1, 65535);
        int high = ParseInt(key, parts[1], 1, 65535);
        if (low > high)
        {
            throw new SysctlException($"{key}: the low port {low} is above the high port {high} (Linux refuses this with EINVAL)");
        }

        return (low, high);
    }

    private static SortedSet<int> ParsePortList(string key, string text)
    {
        var ports = new SortedSet<int>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = item.IndexOf('-', StringComparison.Ordinal);
            int first = ParseInt(key, dash < 0 ? item : item[..dash], 1, 65535);
            int last = dash < 0 ? first : ParseInt(key, item[(dash + 1)..], 1, 65535);
            if (last < first)
            {
                throw new SysctlException($"{key}: '{item}' is not a port range (the second port is lower)");
            }

            for (int port = first; port <= last; port++)
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    private static string[] Words(string text) => text.Trim('"', '\'').Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static int ParseInt(string key, string text, int min, int max)
    {
        string trimmed = text.Trim().Trim('"', '\'');

        // proc_get_long takes an optional '-' and digits: "+5" is EINVAL on Linux (sysctl: Invalid argument).
        if (trimmed.StartsWith('+') || !long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new SysctlException($"{key}: '{text}' is not an integer");
        }

        if (value < min || value > max)
        {
            throw new SysctlException($"{key}: {value} is out of range (allowed {min}..{max})");
        }

        return (int)value;
    }

    private sealed record Definition(Func<Sysctls, string> Get, Action<Sysctls, string, string> Set);
}
