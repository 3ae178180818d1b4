using System.Globalization;
using TcpActors.Network;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// Our pcap of the crafted packet set, opened by Wireshark's tshark with IP and TCP checksum validation on:
/// no malformed packets, good checksums everywhere except the deliberately corrupted segment, and header
/// fields exactly as the simulation wrote them.
/// </summary>
public sealed class TsharkValidationTests
{
    private static readonly string[] s_checksumOptions = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:FALSE"];

    [RequiresToolsFact("tshark")]
    public void Checksums_are_good_except_on_the_corrupted_segment_and_nothing_is_malformed()
    {
        // Proves IPv4, TCP and ICMP checksums (and the quoted headers inside ICMP) validate, and Corrupted is flagged bad.
        using var directory = new TemporaryDirectory();
        var packets = CraftedCapture.Build();
        string path = CraftedCapture.WritePcap(directory, packets);
        var rows = Fields(path, "ip.checksum.status", "tcp.checksum.status", "icmp.checksum.status", "_ws.malformed");
        Assert.Equal(packets.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var (ipStatus, tcpStatus, icmpStatus, malformed) = (rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
            Assert.All(ipStatus.Split(','), status => Assert.Equal("1", status));
            Assert.Equal(packets[i].Packet.Corrupted ? "0" : "1", tcpStatus);
            Assert.Equal(packets[i].Packet is IcmpPacket ? "1" : "", icmpStatus);
            Assert.Equal("", malformed);
        }

        string verbose = ExternalTool.Run("tshark", ["-r", path, "-V", .. s_checksumOptions]);
        Assert.DoesNotContain("Malformed", verbose, StringComparison.Ordinal);
    }

    [RequiresToolsFact("tshark")]
    public void Expert_info_reports_one_error_the_bad_checksum()
    {
        // Proves tshark's expert summary has exactly one error, and it is the corrupted segment's checksum.
        using var directory = new TemporaryDirectory();
        string path = CraftedCapture.WritePcap(directory, CraftedCapture.Build());
        string expert = ExternalTool.Run("tshark", ["-r", path, "-q", "-z", "expert", .. s_checksumOptions]);
        Assert.Contains("Errors (1)", expert, StringComparison.Ordinal);
        Assert.Contains("Bad checksum", expert, StringComparison.Ordinal);
        Assert.DoesNotContain("Malformed", expert, StringComparison.Ordinal);
    }

    [RequiresToolsFact("tshark")]
    public void Tshark_reads_back_the_header_fields_we_wrote()
    {
        // Proves seq, ack, flags, window, options, length and IP fields survive the wire encoding unchanged.
        using var directory = new TemporaryDirectory();
        var packets = CraftedCapture.Build();
        string path = CraftedCapture.WritePcap(directory, packets);
        var rows = Fields(path, "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.options.timestamp.tsval",
            "tcp.options.timestamp.tsecr", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_le", "tcp.options.sack_re",
            "tcp.len", "ip.id", "ip.ttl", "ip.flags.df", "icmp.code");
        var invariant = CultureInfo.InvariantCulture;
        for (int i = 0; i < packets.Count; i++)
        {
            var row = rows[i];
            if (packets[i].Packet is IcmpPacket icmp)
            {
                Assert.Equal(((byte)icmp.Code).ToString(invariant), row[14]);
                Assert.Equal($"0x{icmp.IpId:x4},0x{icmp.Quoted.IpId:x4}", row[11]);
                continue;
            }

            var segment = (Segment)packets[i].Packet;
            var options = segment.Options;
            string[] expected =
            [
                segment.Seq.Value.ToString(invariant),
                segment.Ack.Value.ToString(invariant),
                $"0x{(byte)segment.Flags:x4}",
                segment.Window.ToString(invariant),
                options.HasTimestamps ? options.TsVal.ToString(invariant) : "",
                options.HasTimestamps ? options.TsEcr.ToString(invariant) : "",
                options.Mss != 0 ? options.Mss.ToString(invariant) : "",
                options.HasWindowScale ? options.WindowScale.ToString(invariant) : "",
                string.Join(',', (options.SackBlocks ?? []).Select(block => block.Left.Value.ToString(invariant))),
                string.Join(',', (options.SackBlocks ?? []).Select(block => block.Right.Value.ToString(invariant))),
                segment.PayloadLength.ToString(invariant),
                $"0x{segment.IpId:x4}",
                segment.Ttl.ToString(invariant),
                segment.DontFragment ? "1" : "0",
                "",
            ];
            Assert.Equal(expected, row);
        }
    }

    private static string[][] Fields(string path, params string[] fields)
    {
        string[] arguments = ["-r", path, .. s_checksumOptions, "-T", "fields", "-E", "separator=|", .. fields.SelectMany(field => new[] { "-e", field })];
        return [.. ExternalTool.Lines(ExternalTool.Run("tshark", arguments)).Select(line => line.Split('|'))];
    }
}
