using System.Text.Json;
using System.Text.Json.Nodes;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>--json of a load run: the report's own JSON, with what the invariant checker found when it ran.</summary>
internal static class LoadJson
{
    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };

    public static string Write(LoadReport report, InvariantOutcome? invariants)
    {
        ArgumentNullException.ThrowIfNull(report);
        string json = report.ToJson();
        if (invariants is null)
        {
            return json;
        }

        var document = JsonNode.Parse(json)!.AsObject();
        document["invariants"] = new JsonObject
        {
            ["violations"] = invariants.Violations,
            ["description"] = invariants.Description,
        };
        return document.ToJsonString(s_options);
    }
}
