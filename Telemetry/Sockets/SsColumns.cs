using System.Text;

namespace TcpActors.Telemetry;

/// <summary>
/// ss's column renderer (misc/ss.c render_calc_width and render) for output that is not a terminal, which
/// is how ss output is saved and compared: "compact" widths, no spreading to a screen width. Each column
/// is as wide as its longest token (plus its left delimiter, except for the first shown column); left-aligned
/// columns pad on the right, right-aligned ones on the left, so lines can end in spaces. One quirk kept on
/// purpose: ss measures a token only when it moves past it, and nothing moves past the last token of the
/// last line, so that token (the Process column of the last socket) does not widen its column.
/// </summary>
internal sealed class SsColumns(IReadOnlyList<SsColumns.Column> columns)
{
    public enum Alignment : byte
    {
        Left,
        Right,
    }

    public readonly record struct Column(string Header, Alignment Align, string LeftDelimiter);

    /// <summary>Renders the header line and one line per row; each row holds one token per column.</summary>
    public string Render(IReadOnlyList<string[]> rows)
    {
        var lines = new List<string[]>(rows.Count + 1) { columns.Select(column => column.Header).ToArray() };
        lines.AddRange(rows);
        var widths = Widths(lines);
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            AppendLine(text, line, widths);
        }

        return text.ToString();
    }

    private int[] Widths(List<string[]> lines)
    {
        var widths = new int[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            for (int l = 0; l < lines.Count; l++)
            {
                bool lastToken = l == lines.Count - 1 && c == LastNonEmptyColumn(lines[l]);
                if (!lastToken || l == 0)
                {
                    widths[c] = Math.Max(widths[c], lines[l][c].Length);
                }
            }
        }

        bool first = true;
        for (int c = 0; c < columns.Count; c++)
        {
            if (!first && widths[c] != 0)
            {
                widths[c] += columns[c].LeftDelimiter.Length;
            }

            if (widths[c] != 0)
            {
                first = false;
            }
        }

        return widths;
    }

    /// <summary>The column of the last token ss writes for a socket; the trailing empty column is never written.</summary>
    private int LastNonEmptyColumn(string[] line) => columns.Count - 2 >= 0 && line[^1].Length == 0 ? columns.Count - 2 : columns.Count - 1;

    private void AppendLine(StringBuilder text, string[] line, int[] widths)
    {
        bool started = false;
        for (int c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            int printed = 0;
            if (started)
            {
                text.Append(column.LeftDelimiter);
                printed = column.LeftDelimiter.Length;
            }

            started = true;
            string token = line[c];
            if (widths[c] != 0 && column.Align == Alignment.Right)
            {
                int left = widths[c] - token.Length - printed;
                text.Append(' ', Math.Max(0, left));
                printed += Math.Max(0, left);
            }

            text.Append(token);
            printed += token.Length;
            if (widths[c] != 0 && column.Align == Alignment.Left)
            {
                text.Append(' ', Math.Max(0, widths[c] - printed));
            }
        }

        text.Append('\n');
    }
}
