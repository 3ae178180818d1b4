namespace TcpActors.Chaos.Tests;

/// <summary>How messages show the text a user gave: escaped so it stays on one line and out of the terminal's control, and cut.</summary>
public sealed class InputTextTests
{
    [Theory]
    [InlineData("DROP", "'DROP'")]
    [InlineData("1%\r", @"'1%\r'")]
    [InlineData("a\nb\tc\0", @"'a\nb\tc\0'")]
    [InlineData("\u001b[31mred", @"'\u001b[31mred'")]
    [InlineData("\u202Eevil\u200B\uFEFF\u2028\u0085", @"'\u202eevil\u200b\ufeff\u2028\u0085'")]
    [InlineData("emoji 😀 é 中文", "'emoji 😀 é 中文'")]
    [InlineData("", "''")]
    public void Quote_escapes_what_would_break_the_line_or_reach_the_terminal(string text, string shown)
    {
        // Proves controls, separators, invisible format characters and lone surrogates are escaped, and nothing else.
        Assert.Equal(shown, InputText.Quote(text));
    }

    [Fact]
    public void Quote_escapes_lone_surrogates_but_keeps_pairs()
    {
        // Proves a half of a surrogate pair (invalid UTF-16, which attributes cannot even hold) is shown as its code.
        Assert.Equal(@"'lone \ud800 and \udc00, paired 😀'", InputText.Quote("lone " + (char)0xD800 + " and " + (char)0xDC00 + ", paired 😀"));
    }

    [Fact]
    public void Quote_cuts_long_text_and_says_how_long_it_was()
    {
        // Proves a 100 kB value gives a short message, and that a surrogate pair is never cut in half.
        Assert.Equal("'" + new string('x', 60) + "...' (100000 characters)", InputText.Quote(new string('x', 100_000)));
        Assert.Equal("\"" + new string('x', 59) + "...\" (70 characters)", InputText.Quote(new string('x', 59) + "😀" + new string('y', 9), '"'));
    }

    [Fact]
    public void OneLine_keeps_a_clean_message_and_repairs_a_broken_one()
    {
        // Proves the safety net leaves ordinary messages alone and makes any other one a line of bounded length.
        Assert.Equal("file.yaml:1:2: fine", InputText.OneLine("file.yaml:1:2: fine"));
        Assert.Equal(@"got 'a\nb'", InputText.OneLine("got 'a\nb'"));
        string cut = InputText.OneLine(new string('m', 5000));
        Assert.StartsWith(new string('m', InputText.MessageLengthMax) + "... (5000 characters)", cut, StringComparison.Ordinal);
        Assert.True(cut.Length < 1000);
    }
}
