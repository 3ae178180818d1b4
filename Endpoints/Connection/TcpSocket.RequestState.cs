namespace TcpActors.Endpoints;

/// <summary>
/// What a request socket (SYN_RECV, a listener's child before the third ACK: Linux's request_sock) counts of its
/// SYN-ACKs: a record in the socket's role field beside the listener, taken from the host's spares when the SYN
/// arrives and given back when the handshake completes or the request dies, so no other socket carries the four
/// fields (16 bytes a socket). Read on a socket without the record, they are 0, as the fields were.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>num_timeout: SYN-ACK timer expiries.</summary>
    private int _synAckTimeouts { get => (_role as RequestState)?.SynAckTimeouts ?? 0; set => Request.SynAckTimeouts = value; }

    /// <summary>num_retrans: SYN-ACKs sent again (by the timer or for a repeated SYN).</summary>
    private int _synAckRetransmits { get => (_role as RequestState)?.SynAckRetransmits ?? 0; set => Request.SynAckRetransmits = value; }

    /// <summary>A request's TS vals of its first and latest SYN-ACK (snt_tsval_first/last; 0: none sent yet).</summary>
    private uint _synAckTsValFirst { get => (_role as RequestState)?.SynAckTsValFirst ?? 0; set => Request.SynAckTsValFirst = value; }

    private uint _synAckTsValLast { get => (_role as RequestState)?.SynAckTsValLast ?? 0; set => Request.SynAckTsValLast = value; }

    private RequestState Request => _role as RequestState ?? throw new InvalidOperationException("only a request socket counts SYN-ACKs");

    /// <summary>The SYN arrived: this socket is a request of <paramref name="listener"/> until <see cref="EndRequest"/>.</summary>
    private void BeginRequest(TcpSocket listener)
    {
        if (_role is not null)
        {
            throw new InvalidOperationException("a request socket starts with no role");
        }

        var request = _stack.SpareRequests.TryTake(out var spare) ? spare : new RequestState();
        request.Listener = listener;
        _role = request;
    }

    /// <summary>The handshake completed (or the request died): the socket keeps its listener, the record goes back.</summary>
    private void EndRequest()
    {
        if (_role is RequestState request)
        {
            _role = request.Listener;
            request.Listener = null;
            request.SynAckTimeouts = 0;
            request.SynAckRetransmits = 0;
            request.SynAckTsValFirst = 0;
            request.SynAckTsValLast = 0;
            _stack.SpareRequests.Give(request);
        }
    }

    /// <summary>A request socket's listener and SYN-ACK counts.</summary>
    internal sealed class RequestState
    {
        public TcpSocket? Listener { get; set; }

        public int SynAckTimeouts { get; set; }

        public int SynAckRetransmits { get; set; }

        public uint SynAckTsValFirst { get; set; }

        public uint SynAckTsValLast { get; set; }
    }
}
