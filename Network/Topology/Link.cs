namespace TcpActors.Network;

/// <summary>A built point-to-point link between two interfaces, with one channel per direction.</summary>
public sealed class Link
{
    internal Link(NetworkInterface a, NetworkInterface b)
    {
        A = a;
        B = b;
    }

    public NetworkInterface A { get; }

    public NetworkInterface B { get; }

    private LinkChannel Forward => (LinkChannel)A.Egress!;

    private LinkChannel Backward => (LinkChannel)B.Egress!;

    /// <summary><c>client/eth0 &lt;-&gt; server/eth0</c>.</summary>
    public string Name => $"{A} <-> {B}";

    /// <summary>Both directions up or down (a flap takes both down).</summary>
    public bool IsUp
    {
        get => Forward.IsUp && Backward.IsUp;
        set => (Forward.IsUp, Backward.IsUp) = (value, value);
    }

    public LinkSettings SettingsAToB
    {
        get => Forward.Settings;
        set => Forward.Settings = value;
    }

    public LinkSettings SettingsBToA
    {
        get => Backward.Settings;
        set => Backward.Settings = value;
    }

    /// <summary>Whether this link joins the two named hosts (in either order).</summary>
    public bool Joins(string hostA, string hostB) =>
        (A.Host.Name == hostA && B.Host.Name == hostB) || (A.Host.Name == hostB && B.Host.Name == hostA);

    public override string ToString() => Name;
}
