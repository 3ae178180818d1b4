using System.Diagnostics;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// Takes a fresh capture of a short real TCP session with tcpdump -w, inside a private network namespace
/// (loopback only), reads it with the test project's pcap reader and checks that our formatter prints every
/// packet exactly as <c>tcpdump -r file -n</c> does.
/// </summary>
public sealed class LiveCaptureReplayTests
{
    private const string Session = """
        import socket, time, shutil, subprocess
        srv = socket.socket(); srv.bind(("127.0.0.1", 60000)); srv.listen(4)
        c = socket.socket(); c.connect(("127.0.0.1", 60000)); a, _ = srv.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.send(b"q" * 100); time.sleep(0.05); a.recv(1000); a.send(b"r" * 50); time.sleep(0.05); c.recv(1000)
        c.shutdown(socket.SHUT_WR); time.sleep(0.05); a.recv(1000); a.close(); time.sleep(0.05); c.recv(1000); c.close()
        r = socket.socket()
        try: r.connect(("127.0.0.1", 9))
        except OSError: pass
        if shutil.which("iptables"):
            subprocess.run(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "REJECT"], check=True)
            x = socket.socket(); x.settimeout(2)
            try: x.connect(("127.0.0.1", 8080))
            except OSError: pass
        time.sleep(0.1)
        """;

    [RequiresToolsFact("tcpdump", "ip", "python3", "kill", NeedsRoot = true)]
    public void A_fresh_loopback_capture_formats_exactly_like_tcpdump_reads_it()
    {
        // Proves whole-capture fidelity on traffic the real kernel produced just now, not on stored samples.
        using var directory = new TemporaryDirectory();
        string pcap = directory.File("live.pcap");
        string script = directory.File("session.py");
        File.WriteAllText(script, Session);
        string namespaceName = "tcpactors-tel-" + Guid.NewGuid().ToString("N")[..8];
        ExternalTool.Run("ip", ["netns", "add", namespaceName]);
        try
        {
            ExternalTool.Run("ip", ["netns", "exec", namespaceName, "ip", "link", "set", "lo", "up"]);
            Capture(namespaceName, pcap, () => ExternalTool.Run("ip", ["netns", "exec", namespaceName, "python3", script], timeoutSeconds: 30));
        }
        finally
        {
            ExternalTool.Run("ip", ["netns", "delete", namespaceName]);
        }

        var records = PcapReader.ReadFile(pcap);
        string[] expected = ExternalTool.TcpdumpRead(pcap);
        Assert.True(records.Count >= 12, $"expected a whole session, captured {records.Count} packets");
        Assert.Equal(expected.Length, records.Count);
        var formatter = new TcpdumpFormatter();
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(expected[i], formatter.Format(records[i].Time, records[i].Packet));
        }
    }

    /// <summary>Runs tcpdump -w on the namespace's loopback around <paramref name="traffic"/>, stopping it with SIGINT.</summary>
    private static void Capture(string namespaceName, string pcap, Action traffic)
    {
        var info = new ProcessStartInfo(ExternalTool.Find("ip")!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", namespaceName, "tcpdump", "-i", "lo", "--immediate-mode", "-U", "-w", pcap })
        {
            info.ArgumentList.Add(argument);
        }

        using var tcpdump = Process.Start(info)!;
        var listening = new TaskCompletionSource();
        tcpdump.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        tcpdump.BeginErrorReadLine();
        try
        {
            Assert.True(listening.Task.Wait(TimeSpan.FromSeconds(10)), "tcpdump did not start listening");
            traffic();
            Thread.Sleep(200);
        }
        finally
        {
            // `ip netns exec` execs tcpdump, so this pid is tcpdump itself: SIGINT lets it close the file.
            ExternalTool.Run("kill", ["-INT", tcpdump.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!tcpdump.WaitForExit(10_000))
            {
                tcpdump.Kill();
            }
        }
    }
}
