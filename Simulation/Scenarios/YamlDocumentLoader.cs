using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace TcpActors.Simulation;

/// <summary>
/// Reads YAML text into YamlDotNet's node tree without letting YamlDotNet's failures escape: the parser's events
/// pass through a filter that bounds the nesting depth before <see cref="YamlStream.Load(IParser)"/> (which
/// recurses once per level, so 17,000 levels overflow the stack and kill the process) builds anything, and every
/// exception YamlDotNet throws (YamlException, and on some malformed inputs InvalidOperationException or
/// ArgumentException from its scanner and parser) becomes a <see cref="ScenarioException"/> at the last position reached.
/// </summary>
internal static class YamlDocumentLoader
{
    /// <summary>Deepest nesting of mappings and lists accepted (a scenario needs about six).</summary>
    public const int NestingMax = 64;

    public static YamlStream Load(string text, string file)
    {
        var events = new DepthLimitedParser(new Parser(new StringReader(text)), file);
        var stream = new YamlStream();
        try
        {
            stream.Load(events);
        }
        catch (YamlException error) when (error.Start.Line > 0)
        {
            var where = new SourceSpan(file, (int)Math.Min(error.Start.Line, int.MaxValue), (int)Math.Min(error.Start.Column, int.MaxValue));
            throw new ScenarioException(where, "not valid YAML: " + FirstLine(error.InnerException?.Message ?? error.Message));
        }
#pragma warning disable CA1031 // Any failure of the YAML library on user input is bad input, never a crash.
        catch (Exception error) when (error is not (OutOfMemoryException or ScenarioException))
#pragma warning restore CA1031
        {
            string detail = error is YamlException ? ": " + FirstLine(error.Message) : " (the YAML reader cannot make sense of what follows)";
            throw new ScenarioException(events.LastReached, "not valid YAML" + detail);
        }

        return stream;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>Passes the parser's events on, counting nesting, and remembers where the last one ended.</summary>
    private sealed class DepthLimitedParser(IParser inner, string file) : IParser
    {
        private int _depth;

        public ParsingEvent? Current => inner.Current;

        /// <summary>Where the last event read ended (the start of the file before any).</summary>
        public SourceSpan LastReached { get; private set; } = new(file, 1, 1);

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            var current = inner.Current!;
            if (current is MappingStart or SequenceStart && ++_depth > NestingMax)
            {
                throw new ScenarioException(At(current.Start), $"nested more than {NestingMax} levels deep (mappings and lists inside each other)");
            }

            if (current is MappingEnd or SequenceEnd)
            {
                _depth--;
            }

            LastReached = At(current.End);
            return true;
        }

        private SourceSpan At(Mark mark) => new(file, (int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));
    }
}
