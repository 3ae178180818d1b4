using System.Globalization;
using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// The chaos state of one host: its firewall (installed at registration) and the netem queue on each
/// interface that has one. Applies iptables commands to the firewall and tc commands to the interfaces,
/// with tc's messages for impossible changes.
/// </summary>
internal sealed class ChaosHost
{
    /// <summary>Linux numbers automatically allocated qdisc handles from 8001: on.</summary>
    private const int FirstHandle = 0x8001;

    private readonly ActorSystem _system;
    private readonly SortedDictionary<string, (NetemQueueDiscipline Netem, int Handle)> _netems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _netemGenerations = new(StringComparer.Ordinal);
    private int _nextHandle = FirstHandle;

    public ChaosHost(ChaosHostBinding binding, ActorSystem system)
    {
        Binding = binding;
        _system = system;
        Firewall = new HostFirewall(binding.HostName, system.CreateRandom($"chaos/{binding.HostName}/iptables"), system.EventStream);
        binding.SetFilter(Firewall);
    }

    public ChaosHostBinding Binding { get; }

    public string Name => Binding.HostName;

    public HostFirewall Firewall { get; }

    public NetemQueueDiscipline? NetemOn(string interfaceName) => _netems.TryGetValue(interfaceName, out var entry) ? entry.Netem : null;

    public CommandResult Apply(ChaosCommand command, Func<IPv4Address, string?> addressNames) => command switch
    {
        IptablesCommand iptables => Firewall.Apply(iptables, addressNames),
        TcCommand tc => ApplyTc(tc),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown chaos command"),
    };

    private CommandResult ApplyTc(TcCommand command)
    {
        if (command.Device is { } device && !Binding.InterfaceNames.Contains(device, StringComparer.Ordinal))
        {
            return CommandResult.Failure($"Cannot find device {InputText.Quote(device, '"')}");
        }

        bool exists = command.Device is not null && _netems.ContainsKey(command.Device);
        return command.Verb switch
        {
            TcVerb.Show => CommandResult.Success(Show(command.Device)),
            TcVerb.Add when exists => CommandResult.Failure("Error: Exclusivity flag on, cannot modify."),
            TcVerb.Change when !exists => CommandResult.Failure("Error: Qdisc not found. To create specify NLM_F_CREATE flag."),
            TcVerb.Delete when !exists => CommandResult.Failure("Error: Cannot delete qdisc with handle of zero."),
            TcVerb.Add or TcVerb.Replace when !exists => Add(command.Device!, command.Settings!),
            TcVerb.Change or TcVerb.Replace => Change(command.Device!, command.Settings!),
            TcVerb.Delete => Delete(command.Device!),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown tc verb"),
        };
    }

    private CommandResult Add(string device, NetemSettings settings)
    {
        // Each netem added to an interface draws from its own stream, so deleting and adding again does not replay the old draws.
        int generation = _netemGenerations.GetValueOrDefault(device) + 1;
        _netemGenerations[device] = generation;
        string stream = generation == 1 ? $"chaos/{Name}/netem/{device}" : $"chaos/{Name}/netem/{device}/{generation}";
        var netem = new NetemQueueDiscipline(Name, device, settings, _system.CreateRandom(stream), _system.EventStream);
        _netems[device] = (netem, _nextHandle++);
        Binding.SetQueueDiscipline(device, netem);
        return CommandResult.Success();
    }

    private CommandResult Change(string device, NetemSettings settings)
    {
        _netems[device].Netem.Change(settings);
        return CommandResult.Success();
    }

    private CommandResult Delete(string device)
    {
        _netems.Remove(device);
        Binding.SetQueueDiscipline(device, null);
        return CommandResult.Success();
    }

    /// <summary><c>tc qdisc show</c>: one line per netem, in tc's form (interfaces without netem are not listed).</summary>
    private string Show(string? device)
    {
        var text = new StringBuilder();
        foreach (var (name, (netem, handle)) in _netems)
        {
            if (device is null || device == name)
            {
                string where = device is null ? $"dev {name} " : "";
                text.Append(CultureInfo.InvariantCulture, $"qdisc netem {handle:x}: {where}root refcnt 2 {netem.Settings}\n");
            }
        }

        return text.ToString();
    }
}
