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
    /// <summary>
    /// tcpdump's rendering inside <c>Flags [...]</c>: S, F, P, R, U, W (CWR), E (ECE) in that order,
    /// then '.' for ACK; "none" when no flag is set. For example SYN+ACK is <c>S.</c>, FIN+ACK is <c>F.</c>.
    /// </summary>
    public static string ToTcpdumpString(this TcpFlags flags)
    {
        if (flags == TcpFlags.None)
        {
            return "none";
        }

        var text = new StringBuilder(8);
        if ((flags & TcpFlags.Syn) != 0)
        {
            text.Append('S');
        }

        if ((flags & TcpFlags.Fin) != 0)
        {
            text.Append('F');
        }

        if ((flags & TcpFlags.Psh) != 0)
        {
            text.Append('P');
        }

        if ((flags & TcpFlags.Rst) != 0)
        {
            text.Append('R');
        }

        if ((flags & TcpFlags.Urg) != 0)
        {
            text.Append('U');
        }

        if ((flags & TcpFlags.Cwr) != 0)
        {
            text.Append('W');
        }

        if ((flags & TcpFlags.Ece) != 0)
        {
            text.Append('E');
        }

        if ((flags & TcpFlags.Ack) != 0)
        {
            text.Append('.');
        }

        return text.ToString();
    }

    public static bool Has(this TcpFlags flags, TcpFlags wanted) => (flags & wanted) == wanted;
}
