namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// The two processes of the transfer experiments (26-partition-recovery, 27-reorder; the server also for 43 and 53), as their kernel-lab scripts
/// run them: a server on 10.0.2.2:8080 that reads until end of stream and closes, and a client on 10.0.1.2:40000
/// that connects at 1 s, writes its bytes at 2 s, shuts down its sending side, waits for the server's close and closes.
/// </summary>
internal static class TransferScripts
{
    public static IEnumerable<Step> ReadingServer(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        do
        {
            yield return p.Accepted!.Recv(65536);
        }
        while (p.LastReceived > 0);

        yield return p.Accepted!.Close();
    }

    public static Func<ScriptedProcess, IEnumerable<Step>> SendingClient(int bytes) => p => SendingClient(p, bytes);

    private static IEnumerable<Step> SendingClient(ScriptedProcess p, int bytes)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(bytes);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
