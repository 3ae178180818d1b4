using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// netem's correlated random generator (get_crandom): with correlation ρ (a 32-bit fraction), each number
/// is (1 − ρ) × a fresh uniform number + ρ × the previous one, in 64-bit fixed point. With ρ = 0 it is
/// the plain generator and keeps no state. (This blends values rather than modelling a real correlated
/// process, and it narrows the spread of the numbers; netem does the same, so TcpActors does too.)
/// </summary>
internal struct CorrelatedRandom
{
    private uint _last;
    private uint _rho;

    /// <summary>init_crandom: sets ρ and seeds the previous value with a fresh draw.</summary>
    public void Initialize(NetemProbability correlation, RandomStream random)
    {
        _rho = correlation.Scaled;
        _last = random.NextUInt32();
    }

    public uint Next(RandomStream random)
    {
        uint value = random.NextUInt32();
        if (_rho == 0)
        {
            return value;
        }

        ulong rho = (ulong)_rho + 1;
        uint answer = (uint)(((value * ((1UL << 32) - rho)) + (_last * rho)) >> 32);
        _last = answer;
        return answer;
    }
}

/// <summary>
/// netem's loss generators (loss_event): random with correlation, the 4-state Markov chain of the GI model
/// and the Gilbert-Elliott two-state model, with the transition order and comparisons of Linux 6.x.
/// </summary>
internal struct LossGenerator
{
    /// <summary>TX_IN_GAP_PERIOD for the 4-state chain, GOOD_STATE for Gilbert-Elliott.</summary>
    private const byte FirstState = 1;

    private byte _state;

    /// <summary>Both chains start in their first state whenever a loss model is (re)configured.</summary>
    public void Reset() => _state = FirstState;

    public bool IsLost(NetemLossModel? model, ref CorrelatedRandom lossCorrelation, RandomStream random) => model switch
    {
        null => false,
        RandomLoss loss => !loss.Probability.IsZero && loss.Probability.Scaled >= lossCorrelation.Next(random),
        FourStateLoss loss => FourState(loss, random.NextUInt32()),
        GilbertElliottLoss loss => GilbertElliott(loss, random),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown loss model"),
    };

    /// <summary>
    /// States: 1 good within a gap, 2 good within a burst, 3 lost within a burst, 4 isolated loss. One
    /// random number decides the next state; entering 3 or 4 loses the packet (loss_4state).
    /// </summary>
    private bool FourState(FourStateLoss loss, uint random)
    {
        ulong p14 = loss.P14.Scaled;
        switch (_state)
        {
            case 1:
                if (random < p14)
                {
                    _state = 4;
                    return true;
                }

                if (random < loss.P13.Scaled + p14)
                {
                    _state = 3;
                    return true;
                }

                return false;
            case 2:
                if (random < loss.P23.Scaled)
                {
                    _state = 3;
                    return true;
                }

                return false;
            case 3:
                return LeaveBurstLoss(loss, random);
            default:
                _state = 1;
                return false;
        }
    }

    private bool LeaveBurstLoss(FourStateLoss loss, uint random)
    {
        ulong p32 = loss.P32.Scaled;
        if (random < p32)
        {
            _state = 2;
            return false;
        }

        if (random < loss.P31.Scaled + p32)
        {
            _state = 1;
            return false;
        }

        return true;
    }

    /// <summary>
    /// State 1 good, 2 bad. A first random number may change the state; a second decides the loss with the
    /// probability of the state the packet found (1 − K in good, 1 − H in bad), as loss_gilb_ell does.
    /// </summary>
    private bool GilbertElliott(GilbertElliottLoss loss, RandomStream random)
    {
        if (_state == FirstState)
        {
            if (random.NextUInt32() < loss.P.Scaled)
            {
                _state = 2;
            }

            return random.NextUInt32() < loss.K1.Scaled;
        }

        if (random.NextUInt32() < loss.R.Scaled)
        {
            _state = FirstState;
        }

        return random.NextUInt32() > loss.H.Scaled;
    }
}
