using TcpActors.Network;

namespace TcpActors.Endpoints;

// The socket API as messages, in the manner of Akka IO's Tcp: commands are imperative, replies and
// notifications are past tense. Each command is answered to its sender, and blocking calls (connect,
// accept, recv, a lingering close) are answered when they complete, as the real call would return.

/// <summary>A socket call; the reply on failure is <see cref="CommandFailed"/> carrying it.</summary>
public abstract record SocketCommand;

/// <summary>socket(): asks a host's TCP for a new socket. Replied with <see cref="SocketOpened"/>.</summary>
public sealed record OpenSocket(SocketOptions? Options = null) : SocketCommand;

/// <summary>A new socket, in CLOSED state.</summary>
public sealed record SocketOpened(Runtime.IActorRef Socket);

/// <summary>setsockopt(): replaces the options. Replied with <see cref="OptionsSet"/>.</summary>
public sealed record SetOptions(SocketOptions Options) : SocketCommand;

/// <summary>The options as the socket holds them: SO_RCVBUF and SO_SNDBUF capped by net.core.rmem_max / wmem_max.</summary>
public sealed record OptionsSet(SocketOptions Options);

/// <summary>getsockopt(SO_RCVBUF) and getsockopt(SO_SNDBUF). Replied with <see cref="BufferSizes"/>.</summary>
public sealed record GetBufferSizes : SocketCommand
{
    public static readonly GetBufferSizes Instance = new();

    private GetBufferSizes()
    {
    }
}

/// <summary>
/// sk_rcvbuf and sk_sndbuf in bytes, as getsockopt reports them: a size set with SO_RCVBUF / SO_SNDBUF doubled,
/// else the receive buffer tcp_rmem gives it and the send buffer's limit (tcp_wmem's maximum in this model).
/// </summary>
public sealed record BufferSizes(int ReceiveBuffer, int SendBuffer);

/// <summary>bind(). Port 0 picks one as Linux's inet_csk_find_open_port does. Replied with <see cref="Bound"/>.</summary>
public sealed record Bind(SocketAddress Local) : SocketCommand;

public sealed record Bound(SocketAddress Local);

/// <summary>listen(). Replied with <see cref="Listening"/>.</summary>
public sealed record Listen(int Backlog = 128) : SocketCommand;

public sealed record Listening(SocketAddress Local);

/// <summary>
/// connect(). Sent to a socket, or to a host's TCP module to open one and connect in one step (load
/// runs do that). Replied with <see cref="Connected"/> when the handshake completes. With
/// <paramref name="Handler"/>, the connection is registered to it at once (as <see cref="Register"/>
/// with auto-read would), which saves the workload a message per connection.
/// </summary>
public sealed record Connect(SocketAddress Remote, SocketOptions? Options = null, SocketAddress? Local = null, Runtime.IActorRef? Handler = null) : SocketCommand;

/// <summary>The handshake completed; <see cref="Socket"/> is the connection.</summary>
public sealed record Connected(Runtime.IActorRef Socket, SocketAddress Local, SocketAddress Remote)
{
    // The properties are set again when a given-back reply is reused (ReplySpares).
    public Runtime.IActorRef Socket { get; private set; } = Socket;

    public SocketAddress Local { get; private set; } = Local;

    public SocketAddress Remote { get; private set; } = Remote;

    internal Connected Reuse(Runtime.IActorRef socket, SocketAddress local, SocketAddress remote)
    {
        (Socket, Local, Remote) = (socket, local, remote);
        return this;
    }
}

/// <summary>
/// accept(): replied with <see cref="Accepted"/> when a connection is in the accept queue.
/// <paramref name="Handler"/> registers each accepted connection to it (auto-read) before the reply;
/// <paramref name="Continuously"/> keeps accepting (an application blocked in accept() in a loop, or
/// Akka IO's push-mode Bind), so the accept queue is always drained.
/// </summary>
public sealed record Accept(Runtime.IActorRef? Handler = null, bool Continuously = false) : SocketCommand
{
    public static readonly Accept Instance = new();
}

public sealed record Accepted(Runtime.IActorRef Socket, SocketAddress Local, SocketAddress Remote)
{
    // The properties are set again when a given-back reply is reused (ReplySpares).
    public Runtime.IActorRef Socket { get; private set; } = Socket;

    public SocketAddress Local { get; private set; } = Local;

    public SocketAddress Remote { get; private set; } = Remote;

    internal Accepted Reuse(Runtime.IActorRef socket, SocketAddress local, SocketAddress remote)
    {
        (Socket, Local, Remote) = (socket, local, remote);
        return this;
    }
}

/// <summary>
/// send(): queues data. Replied with <see cref="Sent"/> once the data is in the send buffer, unless
/// <paramref name="NoAck"/> (Akka IO's NoAck: a workload that does not wait for send() to return);
/// errors are replied either way.
/// </summary>
public sealed record Send(ByteChunk Data, bool NoAck = false) : SocketCommand;

public sealed record Sent(int Bytes);

/// <summary>
/// recv(): replied with <see cref="Received"/>, <see cref="EndOfStream"/> or <see cref="CommandFailed"/>.
/// With <paramref name="DontWait"/> (MSG_DONTWAIT) it never blocks: EAGAIN when nothing is there yet.
/// </summary>
public sealed record Read(int MaxBytes = 65536, bool DontWait = false) : SocketCommand;

public sealed record Received(ByteChunk Data)
{
    /// <summary>The bytes read (set again when a given-back reply is reused, see <see cref="ReplySpares"/>).</summary>
    public ByteChunk Data { get; private set; } = Data;

    internal Received Reuse(ByteChunk data)
    {
        Data = data;
        return this;
    }
}

/// <summary>recv() returned 0: the peer sent FIN and every byte before it was read.</summary>
public sealed record EndOfStream
{
    public static readonly EndOfStream Instance = new();
}

/// <summary>How to shut a connection down (shutdown(2)'s second argument).</summary>
public enum ShutdownHow
{
    Read = 0,
    Write = 1,
    Both = 2,
}

/// <summary>shutdown(). Replied with <see cref="ShutdownDone"/>.</summary>
public sealed record Shutdown(ShutdownHow How) : SocketCommand;

public sealed record ShutdownDone(ShutdownHow How);

/// <summary>close(). Replied with <see cref="Closed"/> (at once, or after lingering with SO_LINGER{1,N}).</summary>
public sealed record Close : SocketCommand
{
    public static readonly Close Instance = new();
}

public sealed record Closed
{
    public static readonly Closed Instance = new();
}

/// <summary>A call failed with an errno, as the real call would return -1.</summary>
public sealed record CommandFailed(SocketCommand Command, Errno Errno)
{
    public override string ToString() => $"{Command.GetType().Name} failed: [Errno {(int)Errno}] {Errno.Describe()} ({Errno})";
}

/// <summary>
/// Event-driven reading, for workloads: received data is pushed to <see cref="Handler"/> as
/// <see cref="Received"/>, then <see cref="EndOfStream"/> or <see cref="ConnectionError"/>, without
/// <see cref="Receive"/> calls. Without it, data waits in the receive queue (Recv-Q grows) until read.
/// </summary>
public sealed record Register(Runtime.IActorRef Handler, bool AutoRead = true) : SocketCommand;

/// <summary>An error the socket learnt of by itself (reset, timeout), pushed to a registered handler.</summary>
public sealed record ConnectionError(Errno Errno);
