using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Client;

/// <summary>One mapping as a lookup returned it.</summary>
public sealed record ServedMapping(string? MappingId, byte[] Bytes)
{
    /// <summary>The entry's <c>disclosures</c> member as sent (base64url), or null when absent (PROFILE.md §4.4).</summary>
    public string? Disclosures { get; init; }

    /// <summary>
    /// The payload read leniently (any well-formed CBOR), for tests whose subject is what is served, not how it is
    /// encoded; strict verification is R4's. Null when not even that decodes.
    /// </summary>
    public MappingPayload? Inspect()
    {
        try
        {
            return MappingPayload.Decode(CoseSign.Decode(Bytes, strict: false).Payload, strict: false);
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return null;
        }
    }

    /// <summary>Identity independent of encoding: the recipient's nonce, unique per mapping.</summary>
    public string Key => Inspect() is { } p ? Convert.ToHexString(p.Nonce) : $"(undecodable:{MappingId})";
}

/// <summary>
/// A lookup answer (PROFILE.md §6.3) read leniently, or the reason it could not be read: the DP under test may
/// answer anything, and what is wrong with it is a finding, never an exception.
/// </summary>
public sealed record LookupAnswer(DpResponse Response, string? Status, IReadOnlyList<ServedMapping> Mappings, string? FormatProblem)
{
    public bool Found => Status == "found";

    /// <summary>Whether the answer is a 200 whose body has a <c>mappings</c> array at all (whatever its entries).</summary>
    public bool HasMappingsArray => Response.Status == 200 && Response.Json?["mappings"] is JsonArray;

    public static LookupAnswer Parse(DpResponse response)
    {
        if (response.Status != 200 || response.Json is not { } json)
            return new LookupAnswer(response, null, [], $"lookup answered {response.Describe()}");
        var status = json["status"] is JsonValue s && s.TryGetValue<string>(out var st) ? st : null;
        var mappings = new List<ServedMapping>();
        string? problem = status is "found" or "not_found" ? null : "status is neither \"found\" nor \"not_found\"";
        if (json["mappings"] is JsonArray arr)
        {
            foreach (var item in arr)
            {
                var id = item?["mapping_id"] is JsonValue iv && iv.TryGetValue<string>(out var ids) ? ids : null;
                if (item?["mapping"] is JsonValue mv && mv.TryGetValue<string>(out var m) && B64.TryDecode(m, out var bytes))
                    mappings.Add(new ServedMapping(id, bytes) { Disclosures = item?["disclosures"] is JsonValue dv && dv.TryGetValue<string>(out var ds) ? ds : null });
                else
                    problem ??= "a mappings entry has no base64url \"mapping\"";
            }
        }
        else
        {
            problem ??= "\"mappings\" is not an array";
        }
        return new LookupAnswer(response, status, mappings, problem);
    }
}
