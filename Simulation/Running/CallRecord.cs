using System.Globalization;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>One socket call of a scripted application, when it returned and what it returned.</summary>
/// <param name="Application">The application's name.</param>
/// <param name="Function">socket, connect, recv…</param>
/// <param name="Occurrence">1 for the application's first call of this function, 2 for the second…</param>
/// <param name="Started">When the call was made.</param>
/// <param name="Returned">When it returned.</param>
/// <param name="Result"><c>ok</c>, <c>eof</c>, <c>N bytes</c>, or an errno name.</param>
/// <param name="Text">The script line.</param>
public sealed record CallRecord(string Application, string Function, int Occurrence, SimTime Started, SimTime Returned, string Result, string Text)
{
    /// <summary>The call log line, like tools/kernel-lab's driver: <c>t=134.000000 client connect(…) -> ETIMEDOUT</c>.</summary>
    public override string ToString()
    {
        string blocked = Returned > Started ? string.Create(CultureInfo.InvariantCulture, $" (blocked {(Returned - Started).TotalSeconds:0.######} s)") : "";
        return $"t={Returned} {Application} {Text} -> {Result}{blocked}";
    }
}
