using TcpActors.Endpoints;

namespace TcpActors.Simulation;

/// <summary>
/// The load applications' write of a length-only chunk: a <see cref="Send"/> is an immutable value the socket only
/// reads, so one instance serves every write of the same length (request and response sizes are usually fixed)
/// instead of a new command object per write.
/// </summary>
internal sealed class LengthOnlySends
{
    private Send? _last;

    public Send Of(int length)
    {
        if (_last is not { } send || send.Data.Length != length)
        {
            send = new Send(ByteChunk.OfLength(length), NoAck: true);
            _last = send;
        }

        return send;
    }
}
