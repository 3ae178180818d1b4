using System.Text;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// The text inside <c>Flags [...]</c>. tcpdump walks its flag table in the order FIN, SYN, RST, PSH, ACK,
/// URG, ECE, CWR and prints F, S, R, P, '.', U, E, W, so PSH+ACK+URG is <c>P.U</c> (seen on this machine)
/// and SYN+ECE+CWR is <c>SEW</c>; "none" when no flag is set.
/// </summary>
internal static class TcpdumpFlags
{
    private static readonly (TcpFlags Flag, char Letter)[] s_table =
    [
        (TcpFlags.Fin, 'F'),
        (TcpFlags.Syn, 'S'),
        (TcpFlags.Rst, 'R'),
        (TcpFlags.Psh, 'P'),
        (TcpFlags.Ack, '.'),
        (TcpFlags.Urg, 'U'),
        (TcpFlags.Ece, 'E'),
        (TcpFlags.Cwr, 'W'),
    ];

    public static void Append(StringBuilder text, TcpFlags flags)
    {
        if (flags == TcpFlags.None)
        {
            text.Append("none");
            return;
        }

        foreach (var (flag, letter) in s_table)
        {
            if ((flags & flag) != 0)
            {
                text.Append(letter);
            }
        }
    }

    public static string ToText(TcpFlags flags)
    {
        var text = new StringBuilder(8);
        Append(text, flags);
        return text.ToString();
    }
}
