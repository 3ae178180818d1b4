namespace TcpActors.Chaos;

/// <summary>What a <c>tc qdisc</c> command does.</summary>
public enum TcVerb : byte
{
    Add,
    Change,

    /// <summary>Add, or change if the interface already has netem.</summary>
    Replace,
    Delete,
    Show,
}

/// <summary>A parsed <c>tc qdisc VERB dev IF root netem OPTIONS</c>; <see cref="Device"/> is null for <c>tc qdisc show</c> of every interface.</summary>
public sealed record TcCommand(TcVerb Verb, string? Device, NetemSettings? Settings) : ChaosCommand;

/// <summary>
/// Parses <c>tc qdisc</c> lines for netem on an interface's root: <c>tc qdisc add|change|replace|del dev IF
/// root netem OPTIONS</c> and <c>tc qdisc show [dev IF]</c>. The leading <c>sudo</c> and <c>tc</c> are
/// optional. Words may be abbreviated as tc allows (<c>tc q a dev eth0 root netem d 20ms</c>).
/// </summary>
public static class TcParser
{
    public static TcCommand Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cursor = new WordCursor(CommandLineSplitter.Split(line), line.Length);
        ChaosCommandParser.SkipSudo(cursor);
        if (cursor.TryPeek(out var first) && first.Text == "tc")
        {
            cursor.Next();
        }

        return Parse(cursor);
    }

    internal static TcCommand Parse(WordCursor cursor)
    {
        var qdisc = cursor.AtEnd ? throw cursor.ErrorAtEnd("missing the object (expected qdisc)") : cursor.Next();
        if (!TcValues.Matches(qdisc.Text, "qdisc"))
        {
            throw cursor.ErrorAt(qdisc, $"Object {qdisc.Quoted} is unknown, try \"tc help\". (expected qdisc)");
        }

        var verbWord = cursor.AtEnd ? throw cursor.ErrorAtEnd("missing the command (expected add, change, replace, del or show)") : cursor.Next();
        var verb = ParseVerb(cursor, verbWord);
        return ParseQdisc(cursor, verb, verbWord);
    }

    private static TcVerb ParseVerb(WordCursor cursor, CommandWord word)
    {
        string text = word.Text;
        if (TcValues.Matches(text, "add"))
        {
            return TcVerb.Add;
        }

        if (TcValues.Matches(text, "change"))
        {
            return TcVerb.Change;
        }

        if (TcValues.Matches(text, "replace"))
        {
            return TcVerb.Replace;
        }

        if (TcValues.Matches(text, "delete"))
        {
            return TcVerb.Delete;
        }

        if (TcValues.Matches(text, "list") || TcValues.Matches(text, "show") || TcValues.Matches(text, "lst"))
        {
            return TcVerb.Show;
        }

        throw cursor.ErrorAt(word, $"Command {InputText.Quote(text, '"')} is unknown, try \"tc qdisc help\". (expected add, change, replace, del or show)");
    }

    /// <summary>tc's qdisc loop: <c>dev IF</c> and <c>root</c> in any order, then the kind, whose options follow.</summary>
    private static TcCommand ParseQdisc(WordCursor cursor, TcVerb verb, CommandWord verbWord)
    {
        string? device = null;
        bool root = false;
        CommandWord? kind = null;
        while (kind is null && !cursor.AtEnd)
        {
            var word = cursor.Next();
            switch (word.Text)
            {
                case "dev":
                    var name = cursor.AtEnd ? throw cursor.ErrorAtEnd("Command line is not complete. Try option \"help\" (expected an interface name after \"dev\")") : cursor.Next();
                    device = device is null ? name.Text : throw cursor.ErrorAt(name, $"duplicate \"dev\": {name.Quoted} is the second value.");
                    break;
                case "root":
                    root = true;
                    break;
                case "handle" or "parent" or "estimator" or "stab" or "ingress" or "clsact":
                    throw cursor.ErrorAt(word, $"{word.Quoted} is not supported by TcpActors (expected dev IF root netem OPTIONS)");
                default:
                    kind = word;
                    break;
            }
        }

        return Complete(cursor, verb, verbWord, device, root, kind);
    }

    private static TcCommand Complete(WordCursor cursor, TcVerb verb, CommandWord verbWord, string? device, bool root, CommandWord? kind)
    {
        if (kind is { } given && given.Text != "netem")
        {
            throw cursor.ErrorAt(given, $"qdisc kind {given.Quoted} is not supported (expected netem)");
        }

        if (verb == TcVerb.Show)
        {
            return new TcCommand(verb, device, null);
        }

        if (device is null)
        {
            throw cursor.ErrorAt(verbWord, $"missing \"dev IF\" (expected tc qdisc {InputText.Escape(verbWord.Text)} dev IF root netem ...)");
        }

        if (!root)
        {
            throw cursor.ErrorAt(verbWord, "missing \"root\" (TcpActors models netem as an interface's root qdisc)");
        }

        if (kind is null)
        {
            return verb == TcVerb.Delete
                ? new TcCommand(verb, device, null)
                : throw cursor.ErrorAtEnd("missing the qdisc kind (expected netem and its options)");
        }

        var settings = NetemParser.Parse(cursor);
        return new TcCommand(verb, device, verb == TcVerb.Delete ? null : settings);
    }
}
