using System.Globalization;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>One step of a scripted process: wait until a time, or make a socket call and wait for it to return.</summary>
internal abstract record Step;

/// <summary>Sleep until this many seconds of virtual time (the kernel-lab driver's <c>d.until(t)</c>).</summary>
internal sealed record UntilStep(double Seconds) : Step;

/// <summary>Sleep this many seconds from when the step is reached.</summary>
internal sealed record SleepStep(double Seconds) : Step;

/// <summary>A socket call: the command goes to the socket (opened on first use) and the process waits for the reply.</summary>
internal sealed record CallStep(Sock Socket, string Text, SocketCommand Command) : Step;

/// <summary>
/// A socket as a scripted process holds it: opened lazily on its first call (socket() cannot fail), with
/// the address the calls learnt. Each method returns the step that makes the call, logged as the
/// kernel-lab driver logs it: <c>1.000 client connect(10.0.2.2:8080) -> 0</c>.
/// </summary>
internal sealed class Sock(ScriptedProcess process, SocketOptions options)
{
    public ScriptedProcess Process { get; } = process;

    public SocketOptions Options { get; set; } = options;

    public IActorRef? Ref { get; set; }

    /// <summary>The local address once bound or connected.</summary>
    public SocketAddress? Local { get; set; }

    /// <summary>The errno of the last call, or <see cref="Errno.None"/>.</summary>
    public Errno LastErrno { get; set; }

    public Step Bind(string address) => new CallStep(this, $"bind({address})", new Bind(SocketAddress.Parse(address)));

    public Step Listen(int backlog) => new CallStep(this, string.Create(CultureInfo.InvariantCulture, $"listen({backlog})"), new Listen(backlog));

    public Step Connect(string address) => new CallStep(this, $"connect({address})", new Connect(SocketAddress.Parse(address)));

    /// <summary>accept(); the new connection is then <see cref="ScriptedProcess.Accepted"/>.</summary>
    public Step Accept() => new CallStep(this, "accept()", TcpActors.Endpoints.Accept.Instance);

    public Step Send(int bytes) => new CallStep(this, string.Create(CultureInfo.InvariantCulture, $"send({bytes} bytes)"), new Send(ByteChunk.OfLength(bytes)));

    public Step Recv(int maximum = 65536) => new CallStep(this, string.Create(CultureInfo.InvariantCulture, $"recv({maximum})"), new Read(maximum));

    /// <summary>recv(MSG_DONTWAIT): EAGAIN instead of blocking.</summary>
    public Step RecvNoWait(int maximum = 65536) => new CallStep(this, string.Create(CultureInfo.InvariantCulture, $"recv({maximum}, MSG_DONTWAIT)"), new Read(maximum, DontWait: true));

    public Step Shutdown(ShutdownHow how) => new CallStep(this, $"shutdown({HowName(how)})", new Shutdown(how));

    public Step Close() => new CallStep(this, "close()", TcpActors.Endpoints.Close.Instance);

    /// <summary>getsockopt(SO_RCVBUF) and getsockopt(SO_SNDBUF), logged as <c>-> RCVBUF SNDBUF</c>.</summary>
    public Step Buffers() => new CallStep(this, "getsockopt(SO_RCVBUF, SO_SNDBUF)", GetBufferSizes.Instance);

    /// <summary>setsockopt(): <paramref name="change"/> applied to the current options; <paramref name="text"/> names the option.</summary>
    public Step SetOptions(string text, Func<SocketOptions, SocketOptions> change)
    {
        Options = change(Options);
        return new CallStep(this, $"setsockopt({text})", new SetOptions(Options));
    }

    private static string HowName(ShutdownHow how) => how switch
    {
        ShutdownHow.Read => "SHUT_RD",
        ShutdownHow.Write => "SHUT_WR",
        _ => "SHUT_RDWR",
    };
}

/// <summary>
/// A process of an experiment, as the kernel-lab driver runs one: a script of steps executed in order,
/// each socket call blocking until it returns. Scripts are C# iterators, so they read like the
/// driver's Python: <c>yield return s.Connect("10.0.2.2:8080");</c>.
/// </summary>
internal sealed class ScriptedProcess
{
    public ScriptedProcess(Lab lab, string role, Host host)
    {
        Lab = lab;
        Role = role;
        Host = host;
    }

    public Lab Lab { get; }

    public string Role { get; }

    public Host Host { get; }

    /// <summary>The connection returned by the last accept().</summary>
    public Sock? Accepted { get; set; }

    /// <summary>The bytes returned by the last recv() (0 for end of stream, −1 for an error).</summary>
    public int LastReceived { get; set; }

    public Sock Socket(SocketOptions? options = null) => new(this, options ?? SocketOptions.Default);
}

/// <summary>The timing steps of scripts: <c>yield return Script.Until(2.0);</c>, <c>yield return Script.Sleep(0.3);</c>.</summary>
internal static class Script
{
    /// <summary>Sleep until this many seconds of virtual time (the driver's <c>d.until(t)</c>).</summary>
    public static Step Until(double seconds) => new UntilStep(seconds);

    /// <summary>Sleep this long from when the step is reached (the driver's <c>d.sleep(s)</c>).</summary>
    public static Step Sleep(double seconds) => new SleepStep(seconds);
}

/// <summary>The actor that runs a <see cref="ScriptedProcess"/>'s steps in virtual time.</summary>
internal sealed class ScriptActor : UntypedActor
{
    private readonly ScriptedProcess _process;
    private readonly IEnumerator<Step> _steps;
    private CallStep? _pending;

    public ScriptActor(ScriptedProcess process, IEnumerable<Step> script)
    {
        _process = process;
        _steps = script.GetEnumerator();
    }

    protected override void PreStart() => Advance();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Wake:
                Advance();
                break;
            case SocketOpened opened when _pending is { } call:
                call.Socket.Ref = opened.Socket;
                opened.Socket.Tell(call.Command, Self);
                break;
            default:
                Complete(message);
                break;
        }
    }

    private void Advance()
    {
        while (_steps.MoveNext())
        {
            switch (_steps.Current)
            {
                case UntilStep until:
                    var at = SimTime.FromSeconds(until.Seconds);
                    if (at > Context.Now)
                    {
                        Context.System.ScheduleTellOnce(at - Context.Now, Self, Wake.Instance, null);
                        return;
                    }

                    continue;
                case SleepStep sleep:
                    Context.System.ScheduleTellOnce(Duration.FromNanoseconds((long)Math.Round(sleep.Seconds * 1e9)), Self, Wake.Instance, null);
                    return;
                case CallStep call:
                    _pending = call;
                    if (call.Socket.Ref is null)
                    {
                        Tcp.ManagerOf(_process.Host).Tell(new OpenSocket(call.Socket.Options), Self);
                    }
                    else
                    {
                        call.Socket.Ref.Tell(call.Command, Self);
                    }

                    return;
            }
        }
    }

    private void Complete(object reply)
    {
        var call = _pending ?? throw new InvalidOperationException($"{_process.Role} got {reply} with no call pending");
        _pending = null;
        call.Socket.LastErrno = reply is CommandFailed failed ? failed.Errno : Errno.None;
        string result = reply switch
        {
            CommandFailed error => error.Errno.ToString(),
            Connected connected => Remember(call.Socket, connected.Local, "0"),
            Bound bound => Remember(call.Socket, bound.Local, "0"),
            Accepted accepted => AcceptedText(call.Socket, accepted),
            Sent sent => sent.Bytes.ToString(CultureInfo.InvariantCulture),
            BufferSizes sizes => string.Create(CultureInfo.InvariantCulture, $"{sizes.ReceiveBuffer} {sizes.SendBuffer}"),
            Received received => Received(received.Data.Length),
            EndOfStream => Received(0),
            _ => "0",
        };
        if (reply is CommandFailed && call.Command is Read)
        {
            _process.LastReceived = -1;
        }

        _process.Lab.Calls.Add(Context.Now, _process.Role, $"{call.Text} -> {result}");
        Advance();
    }

    private string Received(int bytes)
    {
        _process.LastReceived = bytes;
        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }

    private static string Remember(Sock socket, SocketAddress local, string text)
    {
        socket.Local = local;
        return text;
    }

    private string AcceptedText(Sock listener, Accepted accepted)
    {
        _process.Accepted = new Sock(_process, listener.Options) { Ref = accepted.Socket, Local = accepted.Local };
        return "peer " + accepted.Remote;
    }

    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }
}
