using System.Runtime.CompilerServices;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The timewait entry's packed byte: the window shift and the duplicate-ACK flag share it without disturbing each other.</summary>
public sealed class TimeWaitEntryTests
{
    [Fact]
    public void The_window_scale_and_the_acked_flag_are_independent_and_the_entry_stays_56_bytes()
    {
        // Proves the packing: setting either half keeps the other, the window field still uses the shift,
        // and the entry is as large as docs/PERFORMANCE.md says (56 bytes).
        var entry = new TimeWaitEntry { ReceiveWindowScale = 14, ReceiveWindow = 65536 << 4 };
        Assert.False(entry.AckedRcvNxt);
        entry.AckedRcvNxt = true;
        Assert.Equal(14, entry.ReceiveWindowScale);
        Assert.Equal(64, entry.WindowField);
        entry.ReceiveWindowScale = 7;
        Assert.True(entry.AckedRcvNxt);
        Assert.Equal(8192, entry.WindowField);
        entry.AckedRcvNxt = false;
        Assert.Equal(7, entry.ReceiveWindowScale);
        Assert.Equal(56, Unsafe.SizeOf<TimeWaitEntry>());
    }
}
