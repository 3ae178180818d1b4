namespace TcpActors.Simulation;

/// <summary>
/// How link-down and link-up steps name a link: by its two hosts, <c>client server</c>, <c>client,server</c>,
/// <c>client &lt;-&gt; server</c> or <c>client-server</c> (split at the hyphen that leaves two linked hosts, since host
/// names may hold hyphens too). The loader and the runner resolve names with the same rule, so a name the file
/// passes with is a name the run can use.
/// </summary>
internal static class LinkNames
{
    /// <summary>The two hosts <paramref name="name"/> names, when <paramref name="linked"/> says a link joins them; otherwise null.</summary>
    public static (string A, string B)? Resolve(string name, Func<string, string, bool> linked)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(linked);
        var parts = name.Replace("<->", " ", StringComparison.Ordinal).Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part.Trim('-', '<', '>').Length > 0)
            .ToList();
        if (parts.Count == 2)
        {
            return linked(parts[0], parts[1]) ? (parts[0], parts[1]) : null;
        }

        if (parts.Count != 1)
        {
            return null;
        }

        string joined = parts[0];
        for (int hyphen = joined.IndexOf('-', StringComparison.Ordinal); hyphen > 0; hyphen = joined.IndexOf('-', hyphen + 1))
        {
            string a = joined[..hyphen];
            string b = joined[(hyphen + 1)..];
            if (b.Length > 0 && linked(a, b))
            {
                return (a, b);
            }
        }

        return null;
    }

    /// <summary>Whether one of <paramref name="links"/> joins <paramref name="a"/> and <paramref name="b"/>, either way round.</summary>
    public static bool Joins(IEnumerable<LinkSpec> links, string a, string b) =>
        links.Any(link => (link.HostA == a && link.HostB == b) || (link.HostA == b && link.HostB == a));
}
