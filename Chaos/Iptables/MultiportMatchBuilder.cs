namespace TcpActors.Chaos;

/// <summary>Collects the one <c>--sports</c>, <c>--dports</c> or <c>--ports</c> of <c>-m multiport</c> (libxt_multiport revision 1).</summary>
internal sealed class MultiportMatchBuilder(CommandWord loadedBy) : IMatchBuilder
{
    /// <summary>The protocols whose ports xt_multiport reads: tcp, udp, udplite, sctp and dccp.</summary>
    private static readonly byte[] s_protocols = [6, 17, 136, 132, 33];

    private MultiportMatch? _match;

    public CommandWord LoadedBy => loadedBy;

    /// <summary>libxt_multiport checks the protocol as it reads the option, so <c>-p</c> must come before it.</summary>
    public void Apply(WordCursor cursor, OptionSpec spec, CommandWord word, CommandWord value, bool inverted, ProtocolMatch? protocol)
    {
        if (_match is not null)
        {
            throw cursor.ErrorAt(word, "multiport can only have one option");
        }

        CheckProtocol(cursor, word, protocol);
        var direction = spec.Option switch
        {
            IptablesOption.SourcePorts => MultiportDirection.Source,
            IptablesOption.DestinationPorts => MultiportDirection.Destination,
            _ => MultiportDirection.Either,
        };
        _match = new MultiportMatch(direction, ParsePorts(cursor, value), inverted);
    }

    public RuleMatch Build(WordCursor cursor) =>
        _match ?? throw cursor.ErrorAt(loadedBy, "multiport expection an option (expected --sports, --dports or --ports)");

    private static void CheckProtocol(WordCursor cursor, CommandWord word, ProtocolMatch? protocol)
    {
        if (protocol is { Inverted: true } || (protocol is { Number: not 0 } && !s_protocols.Contains(protocol.Number)))
        {
            throw cursor.ErrorAt(word, "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
        }

        if (protocol is null or { Number: 0 })
        {
            throw cursor.ErrorAt(word, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
        }
    }

    private static List<PortRange> ParsePorts(WordCursor cursor, CommandWord value)
    {
        var ports = new List<PortRange>();
        int slots = 0;
        foreach (string item in value.Text.Split(','))
        {
            bool isRange = item.Contains(':', StringComparison.Ordinal);
            slots += isRange ? 2 : 1;
            if (slots > MultiportMatch.PortSlotsMax)
            {
                throw cursor.ErrorAt(value, $"too many ports specified (expected at most {MultiportMatch.PortSlotsMax}, a range counting as two)");
            }

            // libxt_multiport parses each side alone (an empty side is a bad port) and wants FIRST below LAST.
            int colon = item.IndexOf(':', StringComparison.Ordinal);
            ushort first = ParsePort(cursor, value, isRange ? item[..colon] : item);
            ushort last = isRange ? ParsePort(cursor, value, item[(colon + 1)..]) : first;
            if (isRange && first >= last)
            {
                throw cursor.ErrorAt(value, "invalid portrange specified");
            }

            var range = new PortRange(first, last, false);
            ports.Add(range);
        }

        return ports;
    }

    private static ushort ParsePort(WordCursor cursor, CommandWord value, string text)
    {
        string? error = IptablesValues.TryParsePortRange(text, false, out var single);
        return error is null && single.First == single.Last && text.Length > 0 ? single.First : throw cursor.ErrorAt(value, $"invalid port/service `{InputText.Escape(text)}' specified");
    }
}
