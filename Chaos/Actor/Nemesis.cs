using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// The rules behind the nemeses. A partition is what Jepsen's iptables nemesis does: every host of one
/// side drops, on INPUT, whatever comes from an address of the other side. The rules go first in the
/// chain (so no ACCEPT rule of the user's lets traffic through) and carry a comment, which is how heal
/// finds them and how <c>iptables -L</c> shows them.
/// </summary>
internal static class Nemesis
{
    public static void DropFrom(IEnumerable<ChaosHost> receivers, IEnumerable<ChaosHost> senders)
    {
        var senderAddresses = senders.SelectMany(s => s.Binding.Addresses).Where(a => !a.IsLoopback).Distinct().ToList();
        foreach (var receiver in receivers)
        {
            foreach (var address in senderAddresses)
            {
                var result = receiver.Firewall.Apply(new IptablesCommand.Insert(FirewallChain.Input, 1, DropRule(address)));
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"chaos: could not insert a partition rule on {receiver.Name}: {result.Text}");
                }
            }
        }
    }

    private static FirewallRule DropRule(IPv4Address source) => new()
    {
        Source = new AddressMatch(new IPv4Prefix(source, 32), Inverted: false),
        Matches = [new CommentMatch(ChaosActor.NemesisComment)],
        Target = RuleTarget.Drop,
    };
}
