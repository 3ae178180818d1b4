using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using TcpActors.Chaos;

namespace TcpActors.Cli;

/// <summary>
/// System.CommandLine's parse errors in the CLI's own voice: one line each, naming the option, listing the choices
/// on the same line, and never a .NET type name ("Cannot parse argument '１' for option '--seed' as expected type
/// 'System.Nullable`1[System.UInt64]'" becomes "--seed: '１' is not a whole number from 0 to 18446744073709551615").
/// </summary>
internal static partial class ParseErrors
{
    private const string NoCommand = "Required command was not provided";
    private const string Commands = "run, load, list or sysctls";

    /// <summary>One line per distinct problem, without the "tcpactors: " prefix.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var lines = new List<string>();
        bool noCommand = parsed.Errors.Any(e => e.Message.StartsWith(NoCommand, StringComparison.Ordinal));
        foreach (var error in parsed.Errors)
        {
            if (noCommand && Unrecognized().Match(error.Message) is { Success: true } word && !word.Groups["token"].Value.StartsWith('-'))
            {
                // 'tcpactors bogus': one line, not "no command" and "unexpected argument".
                lines.Clear();
                lines.Add($"unknown command {InputText.Quote(word.Groups["token"].Value)} (expected {Commands})");
                break;
            }

            string line = InputText.OneLine(Rewrite(error));
            if (!lines.Contains(line, StringComparer.Ordinal))
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private static string Rewrite(ParseError error)
    {
        string message = error.Message;
        string? option = OptionName(error.SymbolResult);
        if (CannotParse().Match(message) is { Success: true } parse)
        {
            return $"{parse.Groups["option"].Value}: {InputText.Quote(parse.Groups["value"].Value)} is not {Expected(parse.Groups["type"].Value)}";
        }

        if (NotRecognized().Match(message) is { Success: true } choice)
        {
            var choices = message[choice.Length..].Split('\n').Select(l => l.Trim().Trim('\'')).Where(l => l.Length > 0);
            return $"{option ?? "a value"}: {InputText.Quote(choice.Groups["value"].Value)} is not one of: {string.Join(", ", choices)}";
        }

        if (MissingOptionValue().Match(message) is { Success: true } missing)
        {
            return $"{missing.Groups["option"].Value} needs a value";
        }

        if (MissingCommandArgument().Match(message) is { Success: true } command)
        {
            return $"{command.Groups["command"].Value} needs {ArgumentOf(error.SymbolResult)}";
        }

        if (Unrecognized().Match(message) is { Success: true } unknown)
        {
            string token = unknown.Groups["token"].Value;
            return token.StartsWith('-') ? $"unknown option {InputText.Quote(token)}" : $"unexpected argument {InputText.Quote(token)}";
        }

        if (SingleArgument().Match(message) is { Success: true } repeated)
        {
            return $"{repeated.Groups["option"].Value} is given {repeated.Groups["count"].Value} times: it takes one value";
        }

        if (message.StartsWith(NoCommand, StringComparison.Ordinal))
        {
            return $"which command? {Commands}";
        }

        // Anything else: its first line, with any .NET type name taken out.
        return TypeName().Replace(message.Split('\n')[0].Trim(), "a value of the right kind");
    }

    private static string? OptionName(SymbolResult? result)
    {
        for (var current = result; current is not null; current = current.Parent)
        {
            if (current is OptionResult optionResult)
            {
                return optionResult.Option.Name;
            }
        }

        return null;
    }

    private static string ArgumentOf(SymbolResult? result) => result switch
    {
        ArgumentResult { Argument: var argument } => Describe(argument),
        System.CommandLine.Parsing.CommandResult { Command.Arguments: [var first, ..] } => Describe(first),
        _ => "an argument",
    };

    private static string Describe(Argument argument) =>
        argument.Description is { Length: > 1 } text
            ? $"its {argument.Name.ToUpperInvariant()} argument: {char.ToLowerInvariant(text[0])}{text[1..].TrimEnd('.')}"
            : $"its {argument.Name.ToUpperInvariant()} argument";

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("UInt64", StringComparison.Ordinal) => "a whole number from 0 to 18446744073709551615",
        _ when type.Contains("UInt32", StringComparison.Ordinal) => "a whole number from 0 to 4294967295",
        _ when type.Contains("Int32", StringComparison.Ordinal) => "a whole number from -2147483648 to 2147483647",
        _ when type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a valid value",
    };

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:", RegexOptions.Singleline)]
    private static partial Regex NotRecognized();

    [GeneratedRegex(@"^Required argument missing for option: '(?<option>[^']*)'")]
    private static partial Regex MissingOptionValue();

    [GeneratedRegex(@"^Required argument missing for command: '(?<command>[^']*)'")]
    private static partial Regex MissingCommandArgument();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"^Option '(?<option>[^']*)' expects a single argument but (?<count>\d+) were provided")]
    private static partial Regex SingleArgument();

    [GeneratedRegex(@"'?System\.[A-Za-z0-9_.`\[\]]+'?")]
    private static partial Regex TypeName();
}
