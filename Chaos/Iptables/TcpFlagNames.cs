using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// The flag names <c>--tcp-flags</c> knows (libxt_tcp): FIN, SYN, RST, PSH, ACK, URG, ALL (the six) and
/// NONE, case-insensitive. ECE and CWR are not among them, as in iptables 1.8.
/// </summary>
public static class TcpFlagNames
{
    /// <summary>The six classic flags, the value of ALL.</summary>
    public const TcpFlags All = TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg;

    private static readonly (string Name, TcpFlags Flag)[] s_names =
    [
        ("FIN", TcpFlags.Fin), ("SYN", TcpFlags.Syn), ("RST", TcpFlags.Rst),
        ("PSH", TcpFlags.Psh), ("ACK", TcpFlags.Ack), ("URG", TcpFlags.Urg),
    ];

    /// <summary>Parses a comma-separated list; on failure <paramref name="badName"/> is the unknown name.</summary>
    public static bool TryParse(string list, out TcpFlags flags, out string badName)
    {
        flags = TcpFlags.None;
        badName = "";
        foreach (string name in list.Split(','))
        {
            if (!TryParseOne(name, out var flag))
            {
                badName = name;
                return false;
            }

            flags |= flag;
        }

        return true;
    }

    /// <summary>Names in bit order joined by commas (<c>FIN,SYN,RST,ACK</c>), or <c>NONE</c>.</summary>
    public static string Format(TcpFlags flags)
    {
        if (flags == TcpFlags.None)
        {
            return "NONE";
        }

        var text = new StringBuilder(24);
        foreach (var (name, flag) in s_names)
        {
            if ((flags & flag) != 0)
            {
                text.Append(text.Length == 0 ? "" : ",").Append(name);
            }
        }

        return text.ToString();
    }

    /// <summary>The numeric form <c>iptables -L -n</c> prints: <c>0x17</c>.</summary>
    public static string FormatHex(TcpFlags flags) => "0x" + ((byte)flags).ToString("X2", CultureInfo.InvariantCulture);

    private static bool TryParseOne(string name, out TcpFlags flag)
    {
        flag = TcpFlags.None;
        if (name.Equals("ALL", StringComparison.OrdinalIgnoreCase))
        {
            flag = All;
            return true;
        }

        if (name.Equals("NONE", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var (known, value) in s_names)
        {
            if (name.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                flag = value;
                return true;
            }
        }

        return false;
    }
}

/// <summary>IP protocol names for <c>-p</c> and for the <c>prot</c> column of <c>iptables -L</c>.</summary>
public static class ProtocolNames
{
    private static readonly (string Name, byte Number)[] s_names =
    [
        ("all", 0), ("icmp", 1), ("igmp", 2), ("tcp", 6), ("udp", 17), ("gre", 47),
        ("esp", 50), ("ah", 51), ("sctp", 132), ("udplite", 136),
    ];

    /// <summary>A name (case-insensitive) or a number 0-255, as iptables accepts them.</summary>
    public static bool TryParse(string text, out byte number)
    {
        foreach (var (name, value) in s_names)
        {
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                number = value;
                return true;
            }
        }

        return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The name iptables prints (<c>tcp</c>, <c>all</c>), or the number for protocols it has no name for.</summary>
    public static string Name(byte number)
    {
        foreach (var (name, value) in s_names)
        {
            if (value == number)
            {
                return name;
            }
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The IP protocol number of a simulated packet.</summary>
    public static byte Of(Packet packet) => packet switch
    {
        Segment => ProtocolMatch.Tcp,
        IcmpPacket => ProtocolMatch.Icmp,
        _ => 255,
    };
}

/// <summary>
/// REJECT's <c>--reject-with</c> names and aliases, in libxt_REJECT's table order. iptables accepts any
/// case-insensitive prefix of a name or alias and takes the first entry that fits (<c>icmp-h</c> is
/// icmp-host-unreachable), so this does too.
/// </summary>
public static class RejectNames
{
    private static readonly (string Name, string Alias, RejectWith Kind)[] s_table =
    [
        ("icmp-net-unreachable", "net-unreach", RejectWith.IcmpNetUnreachable),
        ("icmp-host-unreachable", "host-unreach", RejectWith.IcmpHostUnreachable),
        ("icmp-proto-unreachable", "proto-unreach", RejectWith.IcmpProtocolUnreachable),
        ("icmp-port-unreachable", "port-unreach", RejectWith.IcmpPortUnreachable),
        ("icmp-net-prohibited", "net-prohib", RejectWith.IcmpNetProhibited),
        ("icmp-host-prohibited", "host-prohib", RejectWith.IcmpHostProhibited),
        ("tcp-reset", "tcp-rst", RejectWith.TcpReset),
        ("icmp-admin-prohibited", "admin-prohib", RejectWith.IcmpAdminProhibited),
    ];

    public static string Name(RejectWith kind)
    {
        foreach (var entry in s_table)
        {
            if (entry.Kind == kind)
            {
                return entry.Name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
    }

    public static bool TryParse(string text, out RejectWith kind)
    {
        kind = RejectWith.IcmpPortUnreachable;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var entry in s_table)
        {
            if (entry.Name.StartsWith(text, StringComparison.OrdinalIgnoreCase) || entry.Alias.StartsWith(text, StringComparison.OrdinalIgnoreCase))
            {
                kind = entry.Kind;
                return true;
            }
        }

        return false;
    }
}
