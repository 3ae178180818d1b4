using System.Diagnostics;
using System.Text.RegularExpressions;
using TcpActors.Chaos;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// What every reader of user input promises: it accepts the input, or rejects it with one clear message
/// that says where (file:line:col, or the column in a rule line) — never another exception, never a
/// message of several lines, never minutes of work. Each method returns null when the promise holds,
/// or a sentence saying how it was broken.
/// </summary>
public static partial class InputContract
{
    /// <summary>Time any one input may take (wall clock, generous: CI machines are slow and share cores).</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>Loads a scenario; if it loads, runs it within small limits.</summary>
    public static string? Scenario(string text, bool run)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string file = "fuzz.yaml";
        var clock = Stopwatch.StartNew();
        Scenario loaded;
        try
        {
            loaded = ScenarioLoader.Load(text, file, "fuzz");
        }
        catch (ScenarioException rejected)
        {
            return Slow(clock) ?? Located(rejected.Message, file, text);
        }
        catch (Exception crash)
        {
            return Crash("ScenarioLoader.Load", crash);
        }

        if (Slow(clock) is { } slow)
        {
            return slow;
        }

        return run ? Run(loaded) : null;
    }

    /// <summary>Parses a chaos line (iptables or tc) and, when <paramref name="netem"/>, the netem settings alone.</summary>
    public static string? ChaosLine(string line, bool netem)
    {
        ArgumentNullException.ThrowIfNull(line);
        foreach (var (name, parse) in new (string, Action)[] { ("ChaosCommandParser.Parse", () => ChaosCommandParser.Parse(line)), ("NetemParser.Parse", () => NetemParser.Parse(line)) })
        {
            if (name.StartsWith("Netem", StringComparison.Ordinal) && !netem)
            {
                continue;
            }

            try
            {
                parse();
            }
            catch (ChaosParseException rejected)
            {
                if (rejected.Column < 1 || rejected.Column > line.Length + 1)
                {
                    return $"{name}: column {rejected.Column} is outside the line of {line.Length} characters: {rejected.Message}";
                }

                if (OneLine(rejected.Message) is { } problem)
                {
                    return $"{name}: {problem}";
                }
            }
            catch (Exception crash)
            {
                return Crash(name, crash);
            }
        }

        return null;
    }

    /// <summary>The scenario runner on a loaded scenario: a report, or a ScenarioException (a topology the builder refuses); never an actor failure.</summary>
    private static string? Run(Scenario scenario)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            ScenarioRunner.Run(scenario, new RunOptions { Limits = new RunLimits(300_000, SimTime.FromSeconds(4 * 3600)), DefaultDuration = Duration.FromSeconds(600) });
        }
        catch (ScenarioException rejected)
        {
            return Slow(clock) ?? OneLine(rejected.Message);
        }
        catch (Exception crash)
        {
            return Crash("ScenarioRunner.Run", crash);
        }

        return Slow(clock);
    }

    private static string? Located(string message, string file, string text)
    {
        var match = Position().Match(message);
        if (!match.Success || !message.StartsWith(file + ":", StringComparison.Ordinal))
        {
            return "rejected without a file:line:col position: " + message;
        }

        int line = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int column = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        int lines = YamlLines(text);
        if (line < 1 || line > lines + 1 || column < 1)
        {
            return $"position {line}:{column} is outside the input ({lines} lines): {message}";
        }

        return OneLine(message);
    }

    /// <summary>Lines as YAML counts them: CR LF, CR, LF, NEL, LS and PS each end one.</summary>
    private static int YamlLines(string text)
    {
        int lines = 1;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\u0085' or '\u2028' or '\u2029' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                lines++;
            }
        }

        return lines;
    }

    /// <summary>Longest message that still reads as one clear sentence.</summary>
    public const int MessageLengthLimit = 1000;

    private static string? OneLine(string message) =>
        string.IsNullOrWhiteSpace(message) ? "an empty message"
        : message.Contains('\n', StringComparison.Ordinal) || message.Contains('\r', StringComparison.Ordinal) ? "a message of several lines: " + Mutator.Show(message)
        : message.Length > MessageLengthLimit ? $"an overlong message ({message.Length} characters): {Mutator.Show(message[..200])}..."
        : null;

    private static string? Slow(Stopwatch clock) =>
        clock.Elapsed > Budget ? $"took {clock.Elapsed.TotalSeconds:F1} s (budget {Budget.TotalSeconds} s)" : null;

    public static string Crash(string where, Exception crash)
    {
        ArgumentNullException.ThrowIfNull(crash);
        var frames = (crash.StackTrace ?? "").Split('\n').Select(f => f.Trim()).Where(f => f.Contains("TcpActors", StringComparison.Ordinal) || f.Contains("YamlDotNet", StringComparison.Ordinal)).Take(4);
        return $"{where} threw {crash.GetType().Name}: {crash.Message} [{string.Join(" | ", frames)}]";
    }

    [GeneratedRegex(@"^[^\n]*?:(\d+):(\d+): \S")]
    private static partial Regex Position();
}
