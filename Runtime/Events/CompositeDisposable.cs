namespace TcpActors.Runtime;

/// <summary>Several observers of one run, disposed together in the reverse of the order they were added.</summary>
public sealed class CompositeDisposable : IDisposable
{
    private readonly List<IDisposable> _items = [];

    public CompositeDisposable(params IDisposable?[] items)
    {
        foreach (var item in items)
        {
            Add(item);
        }
    }

    public void Add(IDisposable? item)
    {
        if (item is not null)
        {
            _items.Add(item);
        }
    }

    public void Dispose()
    {
        for (int i = _items.Count - 1; i >= 0; i--)
        {
            _items[i].Dispose();
        }

        _items.Clear();
    }
}
