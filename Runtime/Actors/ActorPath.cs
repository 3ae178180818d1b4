namespace TcpActors.Runtime;

/// <summary>
/// The hierarchical name of an actor, <c>/user/host-a/tcp/$3</c>. Paths are built on demand from the
/// actor tree (an actor does not carry its path string), so they cost nothing until printed.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    internal ActorPath(string text, string name)
    {
        _text = text;
        Name = name;
    }

    /// <summary>The last element of the path.</summary>
    public string Name { get; }

    public static ActorPath Root { get; } = new("/", "");

    public ActorPath Child(string name) => new(_text == "/" ? "/" + name : _text + "/" + name, name);

    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public override string ToString() => _text;
}
