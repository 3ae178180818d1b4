namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>A dialogue's application that writes given numbers of bytes at given times (send() at each, in order).</summary>
internal static class TimedWrites
{
    public static Func<ScriptedProcess, Sock, IEnumerable<Step>> Sends(params (double At, int Bytes)[] writes) => (_, socket) => Writes(socket, writes);

    private static IEnumerable<Step> Writes(Sock socket, (double At, int Bytes)[] writes)
    {
        foreach (var (at, bytes) in writes)
        {
            yield return Script.Until(at);
            yield return socket.Send(bytes);
        }
    }
}
