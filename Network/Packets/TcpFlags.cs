using System.Text;

namespace TcpActors.Network;

/// <summary>The TCP header flags, with their wire values.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}

public static class TcpFlagsExtensions
{
    private static readonly (TcpFlags Flag, char Letter)[] s_tcpdumpOrder =
    [
        (TcpFlags.Fin, 'F'), (TcpFlags.Syn, 'S'), (TcpFlags.Rst, 'R'), (TcpFlags.Psh, 'P'),
        (TcpFlags.Ack, '.'), (TcpFlags.Urg, 'U'), (TcpFlags.Ece, 'E'), (TcpFlags.Cwr, 'W'),
    ];

    /// <summary>
    /// tcpdump's rendering inside <c>Flags [...]</c>, in its order F S R P . U E W (print-tcp.c's
    /// tcp_flag_values): SYN+ACK is <c>S.</c>, FIN+PSH+ACK is <c>FP.</c>; "none" when no flag is set.
    /// </summary>
    public static string ToTcpdumpString(this TcpFlags flags)
    {
        if (flags == TcpFlags.None)
        {
            return "none";
        }

        var text = new StringBuilder(8);
        foreach (var (flag, letter) in s_tcpdumpOrder)
        {
            if ((flags & flag) != 0)
            {
                text.Append(letter);
            }
        }

        return text.ToString();
    }

    public static bool Has(this TcpFlags flags, TcpFlags wanted) => (flags & wanted) == wanted;
}
