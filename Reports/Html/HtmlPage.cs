using System.Text;

namespace TcpActors.Reports;

/// <summary>
/// The shell of a report: one HTML file with its style sheet inside and no script, no font, no image and
/// no link to anywhere else, so it opens the same on a machine without network access, in years' time.
/// </summary>
internal sealed class HtmlPage
{
    private const string Css = """
        :root { color-scheme: light; }
        body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 24px 32px; color: #222; max-width: 1400px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 18px 0 6px; }
        p.lead { font-size: 15px; margin: 4px 0 12px; color: #333; }
        .badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: bold; font-size: 14px; vertical-align: middle; }
        .pass { background: #c8e6c9; color: #1b5e20; }
        .fail { background: #ffcdd2; color: #b71c1c; }
        table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13.5px; }
        th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
        th { background: #f5f5f5; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre, .mono { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        pre { background: #fafafa; border: 1px solid #eee; padding: 8px; overflow-x: auto; }
        .facts { color: #555; font-size: 13.5px; }
        .diagnosis { background: #fff8e1; border-left: 4px solid #ffb300; padding: 8px 12px; margin: 8px 0; }
        .diagnosis p { margin: 4px 0; }
        .figure { overflow-x: auto; margin: 8px 0 16px; }
        .figure svg { max-width: 100%; height: auto; }
        .figure .caption { color: #555; font-size: 13px; margin: 2px 4px 0; max-width: 660px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 12px 20px; }
        .howto { color: #555; font-size: 13.5px; margin: 4px 0 8px; }
        details summary { cursor: pointer; font-weight: bold; margin: 8px 0; }
        """;

    private readonly StringBuilder _body = new(64 * 1024);

    public HtmlPage Raw(string html)
    {
        _body.Append(html);
        return this;
    }

    public HtmlPage Element(string tag, string text, string? cssClass = null)
    {
        _body.Append('<').Append(tag);
        if (cssClass is not null)
        {
            _body.Append(" class=\"").Append(cssClass).Append('"');
        }

        _body.Append('>').Append(Svg.Escape(text)).Append("</").Append(tag).Append(">\n");
        return this;
    }

    /// <summary>A table of text cells; a cell starting with <c>\u0001</c> is already HTML, numbers are right-aligned.</summary>
    public HtmlPage Table(IReadOnlyList<string>? header, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<table>" : $"<table class=\"{cssClass}\">");
        if (header is not null)
        {
            _body.Append("<thead><tr>");
            foreach (string cell in header)
            {
                _body.Append("<th>").Append(Svg.Escape(cell)).Append("</th>");
            }

            _body.Append("</tr></thead>");
        }

        _body.Append("<tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row)
            {
                if (cell.StartsWith('\u0001'))
                {
                    _body.Append("<td>").Append(cell[1..]).Append("</td>");
                }
                else
                {
                    bool number = cell.Length > 0 && cell.All(c => char.IsDigit(c) || c is ',' or '.' or ' ' or '%' or '/' or '-' or 's' or 'm' or 'µ') && char.IsDigit(cell[0]);
                    _body.Append(number ? "<td class=\"num\">" : "<td>").Append(Svg.Escape(cell)).Append("</td>");
                }
            }

            _body.Append("</tr>\n");
        }

        _body.Append("</tbody></table>\n");
        return this;
    }

    public HtmlPage Preformatted(string text, string? summary = null)
    {
        if (summary is not null)
        {
            _body.Append("<details><summary>").Append(Svg.Escape(summary)).Append("</summary>");
        }

        _body.Append("<pre>").Append(Svg.Escape(text)).Append("</pre>");
        if (summary is not null)
        {
            _body.Append("</details>");
        }

        _body.Append('\n');
        return this;
    }

    public string Render(string title) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<meta name=\"generator\" content=\"tcpactors\">\n"
        + $"<title>{Svg.Escape(title)}</title>\n<style>\n{Css}\n</style>\n</head>\n<body>\n{_body}</body>\n</html>\n";
}
