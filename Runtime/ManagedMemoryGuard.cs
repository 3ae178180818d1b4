namespace TcpActors.Runtime;

/// <summary>
/// The managed-memory bound of a run (<see cref="RunLimits.MaxManagedMemoryBytes"/>), checked by the run loop before the
/// first event and then every <see cref="CheckInterval"/> events (so that a bound below what the process already holds
/// stops even a run of a few events). The cheap reading (<see cref="GC.GetTotalMemory"/> without a collection) counts
/// garbage too, so a reading over the bound is confirmed by a full collection before the run is stopped; after a
/// confirmation that found the live heap under the bound, the next one waits <see cref="ConfirmationInterval"/> events.
/// <para>
/// This reads the process, not the simulation, so it is not deterministic: the same seed may stop at another event,
/// or not at all, on another run or machine. That is acceptable only because the guard never changes what the
/// simulation does; it can only end the run (<see cref="StopReason.MemoryLimit"/>).
/// </para>
/// </summary>
internal sealed class ManagedMemoryGuard
{
    public const int CheckInterval = RunLimits.ManagedMemoryCheckInterval;

    public const int ConfirmationInterval = 16 * CheckInterval;

    private long _nextCheck;
    private long _nextConfirmation;

    /// <summary>The live managed heap found by the last confirmation (after a full collection).</summary>
    public long LastMeasuredBytes { get; private set; }

    /// <summary>Whether the run, having processed <paramref name="events"/> events, holds more than <paramref name="limitBytes"/>.</summary>
    public bool Exceeded(long limitBytes, long events)
    {
        if (limitBytes == long.MaxValue || events < _nextCheck)
        {
            return false;
        }

        _nextCheck = events + CheckInterval;
        if (GC.GetTotalMemory(forceFullCollection: false) <= limitBytes || events < _nextConfirmation)
        {
            return false;
        }

        LastMeasuredBytes = GC.GetTotalMemory(forceFullCollection: true);
        if (LastMeasuredBytes > limitBytes)
        {
            return true;
        }

        _nextConfirmation = events + ConfirmationInterval;
        return false;
    }
}
