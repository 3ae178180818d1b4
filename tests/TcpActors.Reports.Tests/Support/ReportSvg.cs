using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TcpActors.Reports.Tests;

/// <summary>Reads the diagrams and charts back out of a report: each &lt;svg&gt; is well-formed XML on its own.</summary>
internal static partial class ReportSvg
{
    public static List<XElement> Diagrams(string html) =>
        SvgElement().Matches(html).Select(m => XElement.Parse(m.Value)).ToList();

    public static IEnumerable<XElement> Groups(XElement svg, string cssClass) =>
        svg.Descendants().Where(e => e.Name.LocalName == "g" && ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cssClass));

    public static string Data(XElement element, string name) => (string?)element.Attribute("data-" + name) ?? "";

    /// <summary>The first &lt;line&gt; of an arrow: where it starts and ends.</summary>
    public static (double X1, double Y1, double X2, double Y2) Line(XElement arrow)
    {
        var line = arrow.Elements().First(e => e.Name.LocalName == "line");
        double Value(string name) => double.Parse((string)line.Attribute(name)!, CultureInfo.InvariantCulture);
        return (Value("x1"), Value("y1"), Value("x2"), Value("y2"));
    }

    [GeneratedRegex("<svg[^>]*>.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();
}
