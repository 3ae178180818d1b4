using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>Where something came from in a scenario file, for error messages: <c>file:line:col</c> (1-based).</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    public static SourceSpan None => new("<code>", 0, 0);

    /// <summary>The same file and line, <paramref name="offset"/> characters further right.</summary>
    public SourceSpan Shifted(int offset) => this with { Column = Column + offset };

    public override string ToString() => Line == 0 ? File : $"{File}:{Line}:{Column}";
}

/// <summary>
/// A scenario file (or a command-line value) is invalid. The message starts with the location and is one line
/// (<see cref="InputText.OneLine"/>, in case a part of it quotes input unescaped).
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException(SourceSpan where, string message)
        : base(InputText.OneLine($"{where}: {message}"))
    {
        Where = where;
        Problem = InputText.OneLine(message);
    }

    public ScenarioException()
        : this(SourceSpan.None, "invalid scenario")
    {
    }

    public ScenarioException(string message)
        : this(SourceSpan.None, message)
    {
    }

    public ScenarioException(string message, Exception inner)
        : base(InputText.OneLine(message), inner)
    {
        Where = SourceSpan.None;
        Problem = InputText.OneLine(message);
    }

    public SourceSpan Where { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }
}
