using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// SYN cookies (net/ipv4/syncookies.c), used when a listener's request queue overflows with
/// tcp_syncookies = 1: the SYN-ACK's ISN encodes a keyed hash, a 64-second counter and an MSS index,
/// no request socket is kept (so nothing is retransmitted), and a valid third ACK creates the
/// connection directly. The peer's window scale and SACK survive only through the timestamp's low bits,
/// as on Linux; without timestamps they are dropped. Our own window and scale are chosen as for a request
/// socket, from the listener's buffer, and chosen again for the connection the ACK creates.
/// </summary>
internal sealed partial class TcpSocket
{
    private static readonly ushort[] s_cookieMss = [536, 1300, 1440, 1460];
    private const long CookieCounterNanoseconds = 64_000_000_000;
    private const long CookieValidNanoseconds = 120_000_000_000;

    private void SendCookieSynAck(Segment syn)
    {
        _stack.Counters.SyncookiesSent++;
        _listen!.LastCookieTime = _stack.NowNanoseconds;
        var tuple = syn.ReceiverTuple;
        int peerMss = syn.Options.Mss == 0 ? 536 : syn.Options.Mss;
        int mssIndex = Array.FindLastIndex(s_cookieMss, m => m <= peerMss);
        mssIndex = Math.Max(mssIndex, 0);
        long counter = _stack.NowNanoseconds / CookieCounterNanoseconds;
        var isn = new SeqNum((CookieHash(tuple, syn.Seq, counter) & ~3u) | (uint)mssIndex);
        bool timestamps = syn.Options.HasTimestamps && _stack.Sysctls.TcpTimestamps != 0;
        bool windowScale = timestamps && syn.Options.HasWindowScale && _stack.Sysctls.TcpWindowScaling == 1;
        bool sack = timestamps && syn.Options.SackPermitted && _stack.Sysctls.TcpSack == 1;
        int advertised = AdvertisedMss(tuple.RemoteAddress);
        // tcp_conn_request builds the request and its window (tcp_openreq_init_rwin) for a cookie too, and
        // frees it only after the SYN-ACK: the listener's SO_RCVBUF clamps the window and the scale alike.
        var initial = InitialWindow(advertised - (timestamps ? 12 : 0), windowScale);
        // cookie_init_timestamp: the low bits keep what the ACK must restore, the peer's window scale (0xF: none) and SACK.
        uint peerScale = windowScale ? Math.Min(syn.Options.WindowScale, (byte)14) : 0xFu;
        uint encodedTs = timestamps ? (_stack.ClockMilliseconds + _stack.TimestampOffset(tuple.LocalAddress, tuple.RemoteAddress)) & ~0x3Fu | peerScale | (sack ? 0x10u : 0u) : 0;
        var synAck = new Segment
        {
            Source = tuple.LocalAddress,
            Destination = tuple.RemoteAddress,
            SourcePort = tuple.LocalPort,
            DestinationPort = tuple.RemotePort,
            Seq = isn,
            Ack = syn.Seq + 1,
            Flags = TcpFlags.Syn | TcpFlags.Ack,
            Window = (ushort)Math.Min(initial.Window, ushort.MaxValue),
            Options = new TcpOptions
            {
                Mss = (ushort)advertised,
                SackPermitted = sack,
                HasTimestamps = timestamps,
                TsVal = encodedTs,
                TsEcr = timestamps ? syn.Options.TsVal : 0,
                HasWindowScale = windowScale,
                WindowScale = initial.Scale,
            },
            Ttl = (byte)_stack.Sysctls.IpDefaultTtl,
        };
        _stack.Transmit(synAck, retransmission: false);
    }

    /// <summary>cookie_v4_check: a valid cookie ACK creates the connection (or is dropped if the accept queue is full).</summary>
    private bool TryCookieAck(Segment ack)
    {
        if (_stack.Sysctls.TcpSyncookies == 0 || _listen is null || _listen.LastCookieTime == Never
            || _stack.NowNanoseconds - _listen.LastCookieTime > CookieValidNanoseconds)
        {
            return false;
        }

        var tuple = ack.ReceiverTuple;
        var cookie = ack.Ack - 1;
        var clientIsn = ack.Seq - 1;
        long counter = _stack.NowNanoseconds / CookieCounterNanoseconds;
        bool valid = (CookieHash(tuple, clientIsn, counter) & ~3u) == (cookie.Value & ~3u)
            || (CookieHash(tuple, clientIsn, counter - 1) & ~3u) == (cookie.Value & ~3u);
        if (!valid)
        {
            return false;
        }

        _stack.Counters.SyncookiesReceived++;
        if (_listen.AcceptQueueFull)
        {
            _stack.Counters.ListenOverflows++;
            _stack.Counters.ListenDrops++;
            _stack.Drop(ack, "accept queue full: SYN-cookie ACK dropped");
            return true;
        }

        var options = new TcpOptions { Mss = s_cookieMss[cookie.Value & 3] };
        if (ack.Options.HasTimestamps)
        {
            uint bits = ack.Options.TsEcr & 0x3F;
            options = options with
            {
                HasTimestamps = true,
                TsVal = ack.Options.TsVal,
                HasWindowScale = (bits & 0xF) != 0xF,
                WindowScale = (byte)(bits & 0xF),
                SackPermitted = (bits & 0x10) != 0,
            };
        }

        var syn = ack with { Seq = clientIsn, Flags = TcpFlags.Syn, Options = options, PayloadLength = 0, Payload = default };
        var child = _stack.CreateSocket(_options);
        _listen.Requests.Add(child);
        child.StartFromCookie(this, syn, cookie, ack);
        return true;
    }

    private void StartFromCookie(TcpSocket listener, Segment reconstructedSyn, SeqNum isn, Segment ack)
    {
        _listener = listener;
        _tuple = reconstructedSyn.ReceiverTuple;
        _boundAddress = listener._boundAddress;
        HoldPort(listener._localPort, byConnect: false);
        _irs = reconstructedSyn.Seq;
        _rcvNxt = _irs + 1;
        _iss = isn;
        _sndUna = isn;
        _sndNxt = isn + 1;
        _writeSeq = isn + 1;
        _pushedSeq = _writeSeq;
        _wscaleOk = _stack.Sysctls.TcpWindowScaling == 1;
        TakePeerSynOptions(reconstructedSyn);
        _advMss = AdvertisedMss(_tuple.RemoteAddress);
        _mssCache = Math.Min(_mssCache, _advMss - (_tsOk ? 12 : 0));
        // cookie_v4_check redoes the window with the MSS decoded from the cookie (timestamps not taken
        // off), so the child offers 64240 → 63 where a request socket's child offers 65160 → 64.
        SelectInitialWindow(reconstructedSyn.Options.Mss);
        _tsOffset = _stack.TimestampOffset(_tuple.LocalAddress, _tuple.RemoteAddress);
        _ipId = (ushort)_stack.Random.NextInt32(65536);
        _stack.AddConnection(_tuple, this);
        _inConnectionTable = true;
        SetState(TcpState.SynReceived, "valid SYN cookie");
        _inFlight.Add(new SentSegment { Seq = _iss, End = _iss + 1, Flags = TcpFlags.Syn | TcpFlags.Ack, SentAt = _stack.NowNanoseconds, Retransmitted = true }, _stack.SentSegments);
        CompleteHandshake(ack);
    }

    private uint CookieHash(FourTuple tuple, SeqNum clientIsn, long counter) =>
        unchecked((uint)_stack.KeyedHash((ulong)tuple.GetHashCode() ^ ((ulong)clientIsn.Value << 32) ^ (ulong)counter));
}
