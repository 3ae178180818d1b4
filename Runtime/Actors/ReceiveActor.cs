namespace TcpActors.Runtime;

/// <summary>
/// An actor whose handlers are registered in its constructor with <see cref="Receive{T}(Action{T}, Predicate{T})"/>,
/// as in Akka.NET: the first matching handler wins; a message no handler matches goes to
/// <see cref="ActorBase.Unhandled"/>. <see cref="Become"/> swaps the whole handler set.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private List<IMessageHandler>? _configuring = [];
    private IMessageHandler[] _handlers = [];

    protected sealed override bool Receive(object message) => Dispatch(_handlers, message);

    /// <summary>Handles messages of type <typeparamref name="T"/> (optionally only those matching <paramref name="shouldHandle"/>).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null) =>
        Configuring().Add(new TypedHandler<T>(handler, shouldHandle));

    /// <summary>Handles messages of type <typeparamref name="T"/>; the handler returns false to pass the message on.</summary>
    protected void Receive<T>(Func<T, bool> handler) => Configuring().Add(new FuncHandler<T>(handler));

    /// <summary>Handles every message not handled by an earlier registration.</summary>
    protected void ReceiveAny(Action<object> handler) => Configuring().Add(new TypedHandler<object>(handler, null));

    /// <summary>Replaces the current handlers by those <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers <paramref name="configure"/> registers; <see cref="UnbecomeStacked"/> pops them.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    internal void SealInitialHandlers()
    {
        if (_configuring is not null)
        {
            _handlers = [.. _configuring];
            _configuring = null;
        }
    }

    private Receive Build(Action configure)
    {
        SealInitialHandlers();
        _configuring = [];
        configure();
        IMessageHandler[] handlers = [.. _configuring];
        _configuring = null;
        return message => Dispatch(handlers, message);
    }

    private List<IMessageHandler> Configuring() =>
        _configuring ?? throw new InvalidOperationException(
            "Receive<T> may only be called in the constructor or inside Become(...)/BecomeStacked(...).");

    private static bool Dispatch(IMessageHandler[] handlers, object message)
    {
        foreach (var handler in handlers)
        {
            if (handler.TryHandle(message))
            {
                return true;
            }
        }

        return false;
    }

    private interface IMessageHandler
    {
        bool TryHandle(object message);
    }

    private sealed class TypedHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : IMessageHandler
    {
        public bool TryHandle(object message)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                handler(typed);
                return true;
            }

            return false;
        }
    }

    private sealed class FuncHandler<T>(Func<T, bool> handler) : IMessageHandler
    {
        public bool TryHandle(object message) => message is T typed && handler(typed);
    }
}
