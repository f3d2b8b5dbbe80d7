using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Federation;

/// <summary>What the federation tests share: lookups naming peers, mappings computed at a fake peer, what peers received.</summary>
internal static class FederatedLookups
{
    public static LookupRequest Lookup(string csi, string? mode = null, IEnumerable<FakePeerDp>? dps = null, params string[] mspFilter) =>
        new(csi, CsiTypes.E164,
            MspFilter: mspFilter.Length > 0 ? mspFilter : null,
            Federation: mode is null ? null : new FederationRequest(mode, dps?.Select(p => p.DpId).ToArray()));

    /// <summary>A mapping computed and countersigned at <paramref name="peer"/>, as the peer will answer it.</summary>
    public static byte[] ComputedAt(this DpOperations ops, FakePeerDp peer, string csi, string? msp = null, Func<MappingBuilder, MappingBuilder>? shape = null)
    {
        var builder = MappingBuilder.For(ops.Parties, peer.DpId, csi, ops.Parties.NewRecipientKey(), ["default"]);
        if (msp is not null)
            builder = builder with { Msps = [new MspEntry(msp, ["default"])] };
        return peer.Countersign((shape?.Invoke(builder) ?? builder).Build().Cose);
    }

    public static async Task<PublishedMapping> PublishLocalAsync(this DpOperations ops, string csi, string? msp = null)
    {
        var builder = ops.Mapping(csi, ops.Parties.NewRecipientKey(), ["default"]);
        if (msp is not null)
            builder = builder with { Msps = [new MspEntry(msp, ["default"])] };
        return await ops.PublishValidAsync(builder);
    }

    /// <summary>A lookup whose answer must be a §6.3 answer whatever the peers did; what the peers received goes into the evidence.</summary>
    public static async Task<LookupAnswer> FederatedLookupAsync(this DpOperations ops, PeerSetup setup, LookupRequest body, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        var answer = await ops.LookupAsync(body, headers);
        setup.RecordEvidence();
        Expect.That(answer.FormatProblem is null, "lookup-answered", "HTTP 200 with a §6.3 lookup answer (never a 5xx because of peers)", answer.FormatProblem ?? "ok");
        return answer;
    }

    public static void ExpectReached(PeerSetup setup, IReadOnlySet<string> expected, string name, string what)
    {
        var reached = setup.Reached();
        var holds = reached.All(r => r.Value == (expected.Contains(r.Key) ? 1 : 0));
        Expect.That(holds, name, $"{what}: exactly {(expected.Count == 0 ? "no peer" : string.Join(", ", expected.Order(StringComparer.Ordinal)))} receive one lookup each",
            string.Join(", ", reached.Select(r => $"{Short(r.Key)} {r.Value}")));
    }

    public static string Short(string dpId) => dpId.Replace("mimi://", "", StringComparison.Ordinal).Split('.')[0];

    public static string Keys(IEnumerable<ServedMapping> mappings) => string.Join(", ", mappings.Select(m => m.Key[..8]));

    public static string Nonce(byte[] mapping) => new ServedMapping(null, mapping).Key;

    public static string Clip(string s) => s.Length <= 24 ? s : s[..24] + "…";
}
