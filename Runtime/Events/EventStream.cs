namespace TcpActors.Runtime;

/// <summary>
/// Synchronous publish/subscribe for observers of the simulation (telemetry, traces, tests), one channel
/// per event type. Producers keep the channel and check <see cref="EventChannel{T}.HasSubscribers"/>
/// before building an event, so an event nobody listens to costs one field read.
/// Subscribers run inline, in subscription order, at the virtual time of the publication.
/// </summary>
public sealed class EventStream
{
    private readonly Dictionary<Type, object> _channels = [];

    /// <summary>The channel for events of exactly type <typeparamref name="T"/>.</summary>
    public EventChannel<T> Channel<T>()
    {
        if (!_channels.TryGetValue(typeof(T), out var channel))
        {
            channel = new EventChannel<T>();
            _channels.Add(typeof(T), channel);
        }

        return (EventChannel<T>)channel;
    }

    public IDisposable Subscribe<T>(Action<T> handler) => Channel<T>().Subscribe(handler);

    /// <summary>Akka's form: the subscriber actor receives each event as a message.</summary>
    public IDisposable Subscribe<T>(IActorRef subscriber)
        where T : notnull => Channel<T>().Subscribe(evt => subscriber.Tell(evt, ActorRefs.NoSender));

    public void Publish<T>(T evt) => Channel<T>().Publish(evt);
}

/// <summary>The subscribers of one event type.</summary>
public sealed class EventChannel<T>
{
    private Action<T>[] _subscribers = [];

    public bool HasSubscribers => _subscribers.Length != 0;

    public void Publish(T evt)
    {
        var subscribers = _subscribers;
        for (int i = 0; i < subscribers.Length; i++)
        {
            subscribers[i](evt);
        }
    }

    public IDisposable Subscribe(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _subscribers = [.. _subscribers, handler];
        return new Subscription(this, handler);
    }

    private void Unsubscribe(Action<T> handler)
    {
        int index = Array.IndexOf(_subscribers, handler);
        if (index >= 0)
        {
            var list = _subscribers.ToList();
            list.RemoveAt(index);
            _subscribers = [.. list];
        }
    }

    private sealed class Subscription(EventChannel<T> channel, Action<T> handler) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                channel.Unsubscribe(handler);
            }
        }
    }
}
