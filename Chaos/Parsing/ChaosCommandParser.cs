using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>A parsed chaos command line: an <see cref="IptablesCommand"/> or a <see cref="TcCommand"/>.</summary>
public abstract record ChaosCommand
{
    private protected ChaosCommand()
    {
    }
}

/// <summary>
/// Parses a chaos command line of either kind. The first word decides: <c>iptables</c> (or a line that
/// starts with an option, such as <c>-A INPUT ...</c>) is iptables; <c>tc</c> (or a line that starts with
/// <c>qdisc</c>) is tc. A leading <c>sudo</c> is ignored, since the seed posts and shell histories have it
/// and the simulation runs every command with the privileges it needs.
/// </summary>
public static class ChaosCommandParser
{
    public static ChaosCommand Parse(string line, Func<string, IPv4Address?>? resolveHost = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cursor = new WordCursor(CommandLineSplitter.Split(line), line.Length);
        SkipSudo(cursor);
        if (!cursor.TryPeek(out var first))
        {
            throw cursor.ErrorAtEnd("empty command (expected an iptables or tc command line)");
        }

        if (IptablesParser.IsProgramName(first.Text))
        {
            cursor.Next();
            return IptablesParser.Parse(cursor, resolveHost);
        }

        if (first.Text == "tc")
        {
            cursor.Next();
            return TcParser.Parse(cursor);
        }

        return first.Text switch
        {
            "qdisc" => TcParser.Parse(cursor),
            _ when first.Text.StartsWith('-') => IptablesParser.Parse(cursor, resolveHost),
            _ => throw cursor.ErrorAt(first, $"unknown command {first.Quoted} (expected iptables or tc)"),
        };
    }

    /// <summary>Skips a leading <c>sudo</c> (with no options of its own).</summary>
    internal static void SkipSudo(WordCursor cursor)
    {
        if (cursor.TryPeek(out var first) && first.Text == "sudo")
        {
            cursor.Next();
        }
    }
}
