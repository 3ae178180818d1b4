using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// Parses iptables command lines as users already write them, for the filter table's INPUT, FORWARD and
/// OUTPUT chains. It follows iptables 1.8 (getopt_long with unambiguous prefixes of long options, bundled
/// short options, <c>!</c> before an option, lazily loaded match options) and words its errors as iptables
/// does, adding what was expected. The leading words <c>sudo</c> and <c>iptables</c> are optional: lines
/// pasted from a blog post or a shell history work as they are.
/// </summary>
public static class IptablesParser
{
    /// <summary>Parses one line; throws <see cref="ChaosParseException"/> (and nothing else) when it is not a valid command.</summary>
    /// <param name="line">The command, e.g. <c>iptables -A INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP</c>.</param>
    /// <param name="resolveHost">Resolves host names in <c>-s</c>/<c>-d</c> (a simulation maps its host names); <c>localhost</c> always works.</param>
    public static IptablesCommand Parse(string line, Func<string, IPv4Address?>? resolveHost = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cursor = new WordCursor(CommandLineSplitter.Split(line), line.Length);
        ChaosCommandParser.SkipSudo(cursor);
        if (cursor.TryPeek(out var first) && IsProgramName(first.Text))
        {
            cursor.Next();
        }

        return Parse(cursor, resolveHost);
    }

    /// <summary>The names this parser answers to as the first word.</summary>
    public static bool IsProgramName(string word) => word is "iptables" or "iptables-nft" or "iptables-legacy";

    /// <summary><c>localhost</c> is 127.0.0.1, as in every /etc/hosts; nothing else resolves.</summary>
    public static IPv4Address? ResolveLocalhost(string name) => name == "localhost" ? IPv4Address.Loopback : null;

    internal static IptablesCommand Parse(WordCursor cursor, Func<string, IPv4Address?>? resolveHost)
    {
        Func<string, IPv4Address?> resolver = resolveHost is null ? ResolveLocalhost : name => ResolveLocalhost(name) ?? resolveHost(name);
        return new IptablesLineParser(cursor, resolver).Parse();
    }
}
