using System.Globalization;
using System.Reflection;
using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>
/// A dead socket's BBR state goes to its host's spares (<see cref="Bbr.Release"/>) and the next socket takes it: a reused
/// object must be what a new one is.
/// </summary>
public sealed class CongestionStateReuseTests
{
    [Fact]
    public void Clear_leaves_every_field_of_a_bbr_state_as_a_new_one_has_it()
    {
        // Every field, found by reflection (so a field added later without a line in Clear fails here), is set to
        // something other than a new instance's value (integers to 255, so the byte of one-bit flags has all eight set);
        // Clear must bring each one back.
        var used = new BbrState();
        var fresh = new BbrState();
        var fields = typeof(BbrState).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.True(fields.Length >= 27);
        foreach (var field in fields)
        {
            field.SetValue(used, NotDefault(field.FieldType));
            Assert.NotEqual(field.GetValue(fresh), field.GetValue(used));
        }

        used.Clear();
        Assert.All(fields, field => Assert.Equal(field.GetValue(fresh), field.GetValue(used)));
    }

    [Fact]
    public void A_connection_on_reused_bbr_states_sends_as_the_first_one_did_on_new_ones()
    {
        // Two identical 60,000-byte transfers over the BBR delay line (still in STARTUP, whose rounds are set by the
        // state alone), the second after both sockets of the first have died and given their states back: the second
        // connection's sockets take those states, and its data leaves at the same offsets from its first data segment.
        var lab = Lab.BbrDelayLine();
        lab.Run("server", lab.Server, TwiceReadingServer);
        lab.Run("client", lab.Client, p => TwoTransfers(p));
        lab.RunUntil(4.5);
        Assert.Equal((1, 1), (lab.ClientStack.SpareBbrStates.Count, lab.ServerStack.SpareBbrStates.Count));
        lab.RunUntil(9);
        Assert.Equal((1, 1), (lab.ClientStack.SpareBbrStates.Count, lab.ServerStack.SpareBbrStates.Count));
        string wire = lab.Wire.Text();
        var first = DataOffsets(wire, " 40000>8080 ");
        var second = DataOffsets(wire, " 40001>8080 ");
        Assert.Equal(42, first.Count);
        Assert.Equal(first, second);
    }

    private static object NotDefault(Type type)
    {
        if (type == typeof(bool))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return Enum.ToObject(type, 1);
        }

        if (type.IsPrimitive)
        {
            return Convert.ChangeType(255, type, CultureInfo.InvariantCulture);
        }

        if (type == typeof(Minmax))
        {
            var minmax = default(Minmax);
            minmax.Reset(3, 4);
            return minmax;
        }

        throw new NotSupportedException($"a BbrState field of type {type} needs a value here");
    }

    /// <summary>Each data segment of one direction: its time from that direction's first data segment (µs) and its length.</summary>
    private static List<(long Micros, int Length)> DataOffsets(string wire, string direction)
    {
        var data = wire.Split('\n').Where(l => l.Contains(direction, StringComparison.Ordinal) && l.Contains(" length ", StringComparison.Ordinal) && !l.EndsWith(" length 0", StringComparison.Ordinal))
            .Select(l => (Micros: (long)Math.Round(double.Parse(l[..l.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture) * 1e6),
                Length: int.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToList();
        return [.. data.Select(d => (d.Micros - data[0].Micros, d.Length))];
    }

    private static IEnumerable<Step> TwiceReadingServer(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        for (int i = 0; i < 2; i++)
        {
            yield return listener.Accept();
            do
            {
                yield return p.Accepted!.Recv(65536);
            }
            while (p.LastReceived > 0);

            yield return p.Accepted!.Close();
        }
    }

    private static IEnumerable<Step> TwoTransfers(ScriptedProcess p)
    {
        foreach (var (port, start) in new[] { (40000, 1.0), (40001, 5.0) })
        {
            yield return Script.Until(start);
            var socket = p.Socket();
            yield return socket.Bind(string.Create(CultureInfo.InvariantCulture, $"10.0.1.2:{port}"));
            yield return socket.Connect("10.0.2.2:8080");
            yield return Script.Until(start + 1);
            yield return socket.Send(60_000);
            yield return socket.Shutdown(ShutdownHow.Write);
            yield return socket.Recv();
            yield return socket.Close();
        }
    }
}
