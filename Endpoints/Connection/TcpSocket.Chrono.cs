namespace TcpActors.Endpoints;

/// <summary>
/// tcp_chrono's busy time (tcp_output.c): the socket is busy from when data is queued to an empty write queue
/// (tcp_add_write_queue_tail's tcp_chrono_start) until an ACK empties the retransmission queue while nothing waits to
/// be sent (tcp_clean_rtx_queue's tcp_chrono_stop), counted in jiffies. tcp_info's busy_time sums all the chrono
/// types; the simulator keeps that sum without splitting out the rwnd- and sndbuf-limited parts.
/// </summary>
internal sealed partial class TcpSocket
{
    private uint _busyJiffies;
    private uint _chronoStartJiffy;
    private bool _chronoBusy { get => Has(SocketFlags.ChronoBusy); set => Set(SocketFlags.ChronoBusy, value); }

    private uint NowJiffy => unchecked((uint)Jiffies.At(_stack.NowNanoseconds));

    /// <summary>tcp_chrono_start(TCP_CHRONO_BUSY) as a new sk_buff joins an empty write queue.</summary>
    private void ChronoStartBusy()
    {
        if (!_chronoBusy)
        {
            _chronoBusy = true;
            _chronoStartJiffy = NowJiffy;
        }
    }

    /// <summary>tcp_chrono_stop(TCP_CHRONO_BUSY) once the retransmission queue is empty: the clock stops if nothing is left unsent.</summary>
    private void ChronoStopBusy()
    {
        if (_chronoBusy && _inFlight.Count == 0 && _writeQueue.IsEmpty)
        {
            _busyJiffies += NowJiffy - _chronoStartJiffy;
            _chronoBusy = false;
        }
    }

    /// <summary>tcp_get_info_chrono_stats: the busy jiffies so far, the running period included, in µs.</summary>
    private long BusyMicros(uint nowJiffy) => (long)(_busyJiffies + (_chronoBusy ? nowJiffy - _chronoStartJiffy : 0)) * (1_000_000 / Jiffies.Hz);
}
