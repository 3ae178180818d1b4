using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace TcpActors.Simulation;

/// <summary>
/// Counts by name, in the order of a name list shared by every sample of a run (hosts in natural order,
/// TCP states in lifecycle order): a sample keeps only its values, 4 bytes a name, and serialises to JSON
/// as an object in that order.
/// </summary>
public sealed class NamedCounts : IReadOnlyDictionary<string, long>
{
    private readonly CountNames _names;
    private readonly int[] _values;

    internal NamedCounts(CountNames names, int[] values)
    {
        if (values.Length != names.List.Count)
        {
            throw new ArgumentException($"{values.Length} values for {names.List.Count} names", nameof(values));
        }

        _names = names;
        _values = values;
    }

    public int Count => _values.Length;

    public IEnumerable<string> Keys => _names.List;

    public IEnumerable<long> Values => _values.Select(v => (long)v);

    public long this[string key] => TryGetValue(key, out long value) ? value : throw new KeyNotFoundException(key);

    /// <summary>The value at <paramref name="index"/> in the name list's order.</summary>
    public long At(int index) => _values[index];

    public bool ContainsKey(string key) => _names.Index.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out long value)
    {
        if (_names.Index.TryGetValue(key, out int index))
        {
            value = _values[index];
            return true;
        }

        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator()
    {
        for (int i = 0; i < _values.Length; i++)
        {
            yield return new(_names.List[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
