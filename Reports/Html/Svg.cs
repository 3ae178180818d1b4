using System.Globalization;
using System.Net;
using System.Text;

namespace TcpActors.Reports;

/// <summary>A small writer of SVG elements: invariant numbers, escaped text, nothing else clever.</summary>
internal sealed class Svg
{
    private readonly StringBuilder _text = new(16 * 1024);

    public static string Number(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Shortens text to <paramref name="length"/> characters with an ellipsis.</summary>
    public static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    public Svg Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null, string? extra = null)
    {
        _text.Append($"<line x1=\"{Number(x1)}\" y1=\"{Number(y1)}\" x2=\"{Number(x2)}\" y2=\"{Number(y2)}\" stroke=\"{stroke}\" stroke-width=\"{Number(width)}\"");
        if (dash is not null)
        {
            _text.Append($" stroke-dasharray=\"{dash}\"");
        }

        if (extra is not null)
        {
            _text.Append(' ').Append(extra);
        }

        _text.Append("/>\n");
        return this;
    }

    public Svg Rect(double x, double y, double width, double height, string fill, string? stroke = null, double radius = 0, string? extra = null)
    {
        _text.Append($"<rect x=\"{Number(x)}\" y=\"{Number(y)}\" width=\"{Number(Math.Max(0, width))}\" height=\"{Number(Math.Max(0, height))}\" fill=\"{fill}\"");
        if (stroke is not null)
        {
            _text.Append($" stroke=\"{stroke}\"");
        }

        if (radius > 0)
        {
            _text.Append($" rx=\"{Number(radius)}\"");
        }

        if (extra is not null)
        {
            _text.Append(' ').Append(extra);
        }

        _text.Append("/>\n");
        return this;
    }

    public Svg Polygon(IEnumerable<(double X, double Y)> points, string fill)
    {
        _text.Append("<polygon points=\"").AppendJoin(' ', points.Select(p => Number(p.X) + "," + Number(p.Y))).Append($"\" fill=\"{fill}\"/>\n");
        return this;
    }

    public Svg Path(string data, string stroke, double width = 1, string fill = "none", string? dash = null)
    {
        _text.Append($"<path d=\"{data}\" stroke=\"{stroke}\" stroke-width=\"{Number(width)}\" fill=\"{fill}\"");
        if (dash is not null)
        {
            _text.Append($" stroke-dasharray=\"{dash}\"");
        }

        _text.Append("/>\n");
        return this;
    }

    /// <summary>Text; <paramref name="cssClass"/> picks the font and colour from the diagram's style sheet.</summary>
    public Svg Text(double x, double y, string text, string cssClass, string anchor = "start", string? fill = null, string? title = null)
    {
        _text.Append($"<text x=\"{Number(x)}\" y=\"{Number(y)}\" class=\"{cssClass}\"");
        if (anchor != "start")
        {
            _text.Append($" text-anchor=\"{anchor}\"");
        }

        if (fill is not null)
        {
            _text.Append($" fill=\"{fill}\"");
        }

        _text.Append('>');
        if (title is not null)
        {
            _text.Append("<title>").Append(Escape(title)).Append("</title>");
        }

        _text.Append(Escape(text)).Append("</text>\n");
        return this;
    }

    public Svg Title(string text)
    {
        _text.Append("<title>").Append(Escape(text)).Append("</title>\n");
        return this;
    }

    /// <summary>Opens a group with a class and data attributes (values escaped); close it with <see cref="End"/>.</summary>
    public Svg Group(string cssClass, params (string Name, string Value)[] data)
    {
        _text.Append($"<g class=\"{cssClass}\"");
        foreach (var (name, value) in data)
        {
            _text.Append($" data-{name}=\"{Escape(value)}\"");
        }

        _text.Append(">\n");
        return this;
    }

    public Svg End()
    {
        _text.Append("</g>\n");
        return this;
    }

    public override string ToString() => _text.ToString();
}
