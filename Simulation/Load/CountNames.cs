namespace TcpActors.Simulation;

/// <summary>The names of a run's <see cref="NamedCounts"/>, listed once with an index for look-ups.</summary>
internal sealed class CountNames
{
    public CountNames(IEnumerable<string> names)
    {
        List = [.. names];
        Index = new Dictionary<string, int>(List.Count, StringComparer.Ordinal);
        for (int i = 0; i < List.Count; i++)
        {
            Index.Add(List[i], i);
        }
    }

    public IReadOnlyList<string> List { get; }

    public Dictionary<string, int> Index { get; }
}
