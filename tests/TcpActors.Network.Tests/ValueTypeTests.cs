namespace TcpActors.Network.Tests;

public sealed class ValueTypeTests
{
    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("256.0.0.1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("10.0.0.1.", false)]
    [InlineData("10.0.0.01", true)]
    [InlineData("1.2.3.1234", false)]
    [InlineData(" 10.0.0.1", false)]
    [InlineData("", false)]
    public void Addresses_parse_strictly(string text, bool valid)
    {
        // Proves the dotted-quad parser accepts exactly four numbers 0-255.
        Assert.Equal(valid, IPv4Address.TryParse(text, out _));
    }

    [Fact]
    public void Prefixes_parse_as_iptables_reads_them_and_match_addresses()
    {
        // Proves CIDR semantics: host bits cleared, bare address = /32, dotted masks accepted.
        var prefix = IPv4Prefix.Parse("192.168.12.37/24");
        Assert.Equal("192.168.12.0/24", prefix.ToString());
        Assert.True(prefix.Contains(IPv4Address.Parse("192.168.12.200")));
        Assert.False(prefix.Contains(IPv4Address.Parse("192.168.13.1")));
        Assert.Equal("127.0.0.1", IPv4Prefix.Parse("127.0.0.1").ToString());
        Assert.Equal(8, IPv4Prefix.Parse("10.0.0.0/255.0.0.0").Length);
        Assert.False(IPv4Prefix.TryParse("10.0.0.0/33", out _));
        Assert.False(IPv4Prefix.TryParse("10.0.0.0/255.0.255.0", out _));
        Assert.True(IPv4Prefix.Any.Contains(IPv4Address.Parse("8.8.8.8")));
    }

    [Fact]
    public void Sequence_numbers_compare_modulo_two_to_the_32()
    {
        // Proves RFC 9293 wrap-around comparison, which raw uint comparison gets wrong near the wrap.
        var nearWrap = new SeqNum(uint.MaxValue - 10);
        var afterWrap = nearWrap + 20;
        Assert.Equal(9u, afterWrap.Value);
        Assert.True(nearWrap < afterWrap);
        Assert.Equal(20, afterWrap - nearWrap);
        Assert.True(SeqNum.InRange(new SeqNum(2), nearWrap, afterWrap));
    }

    [Fact]
    public void Flags_print_as_tcpdump_prints_them()
    {
        // Proves the flag letters and order of tcpdump's "Flags [...]" (F S R P . U E W, from print-tcp.c).
        Assert.Equal("S", TcpFlags.Syn.ToTcpdumpString());
        Assert.Equal("S.", (TcpFlags.Syn | TcpFlags.Ack).ToTcpdumpString());
        Assert.Equal("F.", (TcpFlags.Fin | TcpFlags.Ack).ToTcpdumpString());
        Assert.Equal("P.", (TcpFlags.Psh | TcpFlags.Ack).ToTcpdumpString());
        Assert.Equal("FP.", (TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack).ToTcpdumpString());
        Assert.Equal("R.", (TcpFlags.Rst | TcpFlags.Ack).ToTcpdumpString());
        Assert.Equal(".", TcpFlags.Ack.ToTcpdumpString());
        Assert.Equal("none", TcpFlags.None.ToTcpdumpString());
        Assert.Equal("P.U", (TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg).ToTcpdumpString());
        Assert.Equal("FS", (TcpFlags.Syn | TcpFlags.Fin).ToTcpdumpString());
        Assert.Equal("SEW", (TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr).ToTcpdumpString());
    }

    [Fact]
    public void Options_are_laid_out_as_linux_writes_them_and_read_back()
    {
        // Proves the SYN option layout tcpdump shows as [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 10] (20 bytes).
        var syn = new TcpOptions { Mss = 65495, SackPermitted = true, HasTimestamps = true, TsVal = 1, HasWindowScale = true, WindowScale = 10 };
        Span<byte> bytes = stackalloc byte[40];
        int length = TcpOptionsLayout.Write(syn, bytes);
        Assert.Equal(20, length);
        Assert.Equal(20, TcpOptionsLayout.Length(syn));
        Assert.Equal(new byte[] { 2, 4, 0xFF, 0xD7, 4, 2, 8, 10 }, bytes[..8].ToArray());
        Assert.Equal(new byte[] { 1, 3, 3, 10 }, bytes[16..20].ToArray());
        Assert.True(TcpOptionsLayout.TryRead(bytes[..length], out var read));
        Assert.Equal(syn, read);

        var ack = TcpOptions.Timestamps(5, 6);
        Assert.Equal(12, TcpOptionsLayout.Write(ack, bytes));
        Assert.Equal(new byte[] { 1, 1, 8, 10 }, bytes[..4].ToArray());
    }

    [Fact]
    public void Sysctls_are_set_by_linux_name_with_validation()
    {
        // Proves the sysctl registry: Linux names, vectors, ranges and helpful errors.
        var sysctls = new Sysctls();
        SysctlRegistry.Set(sysctls, "net.ipv4.ip_local_port_range", "40000 40009");
        SysctlRegistry.Set(sysctls, "net/ipv4/tcp_tw_reuse", "1");
        Assert.Equal((40000, 40009), sysctls.IpLocalPortRange);
        Assert.Equal(1, sysctls.TcpTwReuse);
        Assert.Equal("40000\t40009", SysctlRegistry.Get(sysctls, "net.ipv4.ip_local_port_range"));
        Assert.Equal(8, sysctls.EffectiveOrphanRetries);
        Assert.Equal("unknown sysctl 'net.ipv4.tcp_tw_recycle' (see `tcpactors sysctls` for the supported ones)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.tcp_tw_recycle", "1")).Message);
        Assert.Equal("unknown sysctl 'net.ipv6.tcp_fin_timeout' (did you mean 'net.ipv4.tcp_fin_timeout'?)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv6.tcp_fin_timeout", "1")).Message);
        Assert.Equal("net.ipv4.ip_local_port_range: the low port 5 is above the high port 4 (Linux refuses this with EINVAL)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.ip_local_port_range", "5 4")).Message);
        Assert.Equal("net.ipv4.tcp_fin_timeout: 'soon' is not an integer",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.tcp_fin_timeout", "soon")).Message);
        // A leading '+' is EINVAL on Linux too (recorded here: sysctl -w net.ipv4.tcp_syn_retries=+5: Invalid argument).
        Assert.Equal("net.ipv4.tcp_syn_retries: '+5' is not an integer",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.tcp_syn_retries", "+5")).Message);
        SysctlRegistry.Set(sysctls, "net.ipv4.tcp_syn_retries", " 5");
        Assert.Equal(5, sysctls.TcpSynRetries);
        Assert.Equal("bbr", SysctlRegistry.Get(sysctls, "net.ipv4.tcp_congestion_control")); // CONFIG_DEFAULT_TCP_CONG of these machines
        SysctlRegistry.Set(sysctls, "net.ipv4.tcp_congestion_control", "cubic");
        Assert.Equal("cubic", sysctls.TcpCongestionControl);
        Assert.Equal("net.ipv4.tcp_congestion_control: unknown congestion control 'vegas' (available: reno cubic bbr)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.tcp_congestion_control", "vegas")).Message);
    }

    [Fact]
    public void Core_buffer_maxima_default_to_this_kernels_and_refuse_values_below_the_socket_minimum()
    {
        // Proves net.core.rmem_max / wmem_max: 4194304 as a fresh namespace of 6.18 reads them, and the floors of
        // sysctl_net_core.c's proc_dointvec_minmax (SOCK_MIN_RCVBUF 2304, SOCK_MIN_SNDBUF 4608).
        var sysctls = new Sysctls();
        Assert.Equal("4194304", SysctlRegistry.Get(sysctls, "net.core.rmem_max"));
        Assert.Equal("4194304", SysctlRegistry.Get(sysctls, "net.core.wmem_max"));
        SysctlRegistry.Set(sysctls, "net.core.rmem_max", "2304");
        SysctlRegistry.Set(sysctls, "net.core.wmem_max", "4608");
        Assert.Equal((2304, 4608), (sysctls.NetCoreRmemMax, sysctls.NetCoreWmemMax));
        Assert.Equal("net.core.rmem_max: 2303 is out of range (allowed 2304..2147483647)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.core.rmem_max", "2303")).Message);
        Assert.Equal("net.core.wmem_max: 4607 is out of range (allowed 4608..2147483647)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.core.wmem_max", "4607")).Message);
        Assert.Equal("net.core.rmem_max: 'lots' is not an integer",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.core.rmem_max", "lots")).Message);
    }

    [Fact]
    public void Icmp_global_limit_sysctls_default_to_this_kernels_and_refuse_negative_values()
    {
        // Proves net.ipv4.icmp_msgs_per_sec 1000 and icmp_msgs_burst 50 (a fresh namespace of 6.18), 0..INT_MAX as
        // proc_dointvec_minmax with SYSCTL_ZERO allows.
        var sysctls = new Sysctls();
        Assert.Equal(("1000", "50"), (SysctlRegistry.Get(sysctls, "net.ipv4.icmp_msgs_per_sec"), SysctlRegistry.Get(sysctls, "net.ipv4.icmp_msgs_burst")));
        SysctlRegistry.Set(sysctls, "net.ipv4.icmp_msgs_per_sec", "0");
        Assert.Equal(0, sysctls.IcmpMsgsPerSec);
        Assert.Equal("net.ipv4.icmp_msgs_burst: -1 is out of range (allowed 0..2147483647)",
            Assert.Throws<SysctlException>(() => SysctlRegistry.Set(sysctls, "net.ipv4.icmp_msgs_burst", "-1")).Message);
    }
}
