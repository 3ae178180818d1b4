namespace TcpActors.Chaos;

/// <summary>Placeholder replaced in the netem commit.</summary>
public static class TcParser
{
    internal static TcCommand Parse(WordCursor cursor) => throw cursor.ErrorAtEnd("tc is not implemented yet");
}

public sealed record TcCommand : ChaosCommand;
