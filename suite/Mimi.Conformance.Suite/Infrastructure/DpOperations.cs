using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>One mapping as a lookup returned it.</summary>
internal sealed record ServedMapping(string? MappingId, byte[] Bytes)
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

/// <summary>A mapping the harness published and the DP accepted.</summary>
internal sealed record PublishedMapping(string Id, MappingPayload Payload, byte[] Cose)
{
    public string Key => Convert.ToHexString(Payload.Nonce);
}

/// <summary>A parsed lookup answer, or the reason it could not be parsed.</summary>
internal sealed record LookupAnswer(DpResponse Response, string? Status, IReadOnlyList<ServedMapping> Mappings, string? FormatProblem)
{
    public bool Found => Status == "found";
}

/// <summary>The profile's operations (PROFILE.md §6) as the harness's roles perform them, every call recorded.</summary>
internal sealed class DpOperations(ConformanceFixture fixture)
{
    public Parties Parties => fixture.Parties;

    public string DpId => fixture.Meta.DpId;

    public MappingBuilder Mapping(string csi, SigningKey recipient, params string[][] tagsPerMsp) =>
        MappingBuilder.For(Parties, DpId, csi, recipient, tagsPerMsp);

    public async Task<DpResponse> PublishAsync(byte[] mapping) =>
        await fixture.Client.PostJsonAsync(fixture.Meta.PublishPath, new JsonObject { ["mapping"] = B64.Encode(mapping) });

    /// <summary>Publishes a mapping the DP must accept; anything else means the test cannot proceed.</summary>
    public async Task<PublishedMapping> PublishValidAsync(MappingBuilder builder)
    {
        var (cose, payload) = builder.Build();
        var response = Expect.Reachable(await PublishAsync(cose), "publish");
        Expect.That(response.Status is 200 or 201, "publish-accepted", "HTTP 201 for a valid mapping", response.Describe() + Expect.ProblemType(response));
        return new PublishedMapping(MappingPayload.IdOf(payload.Encode()), payload, cose);
    }

    private TokenWallet? _wallet;

    /// <summary>This test's Privacy Pass identity (a fresh client per test, so allowances never leak between tests).</summary>
    public TokenWallet Tokens => _wallet ??= new TokenWallet(fixture);

    /// <summary>Publishes a mapping with exact-match-only tag disclosures beside it (PROFILE.md §4.4, §6.2).</summary>
    public async Task<DpResponse> PublishAsync(byte[] mapping, IEnumerable<TagDisclosure> disclosures) =>
        await fixture.Client.PostJsonAsync(fixture.Meta.PublishPath, new JsonObject
        {
            ["mapping"] = B64.Encode(mapping),
            ["disclosures"] = new JsonArray([.. disclosures.Select(d => (JsonNode)new JsonObject { ["salt"] = B64.Encode(d.Salt), ["tag"] = d.Tag })]),
        });

    public Task<LookupAnswer> LookupAsync(string csi, string csiType = ProfileConstants.CsiTypes.E164) =>
        LookupAsync(new JsonObject { ["csi"] = csi, ["csi_type"] = csiType });

    /// <summary>A lookup naming a tag (exact match, PROFILE.md §6.3); the answer's raw response is kept for byte scans.</summary>
    public Task<LookupAnswer> LookupTaggedAsync(string csi, string tag) =>
        LookupAsync(new JsonObject { ["csi"] = csi, ["csi_type"] = ProfileConstants.CsiTypes.E164, ["tag"] = tag });

    /// <summary>
    /// Any lookup body (e.g. with <c>federation</c> or <c>msp_filter</c>), optionally with extra request headers sent on
    /// every attempt (e.g. a cookie the DP must not pass on).
    /// </summary>
    public async Task<LookupAnswer> LookupAsync(JsonObject body, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        var client = fixture.Client;
        var request = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body);
        var response = Expect.Reachable(await client.SendAsync(HttpMethod.Post, client.Resolve(fixture.Meta.LookupPath), request, "application/json", headers ?? []), "lookup");
        // Anti-enumeration class (PROFILE.md §10): answer a PrivateToken challenge with a token and ask once more.
        if (response.Status == 401 && ParsedChallenge.From(response, out _) is { } challenge)
            response = Expect.Reachable(await Tokens.LookupWithTokenAsync(fixture.Meta.LookupPath, body, await Tokens.TokenAsync(challenge), extraHeaders: headers), "lookup with a token");
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

    /// <summary>§6.5: relays a mapping computed at another DP; null when the DP advertises no import endpoint.</summary>
    public async Task<DpResponse?> ImportAsync(byte[] mapping) => fixture.Meta.ImportPath is { } path
        ? Expect.Reachable(await fixture.Client.PostJsonAsync(path, new JsonObject { ["mapping"] = B64.Encode(mapping) }), "import")
        : null;

    public Task<DpResponse> RemoveAsync(byte[] removal) =>
        fixture.Client.PostJsonAsync(fixture.Meta.RemovePath, new JsonObject { ["removal"] = B64.Encode(removal) });

    public byte[] Removal(SigningKey signer, string role, string csi, string? mappingId, string reason = "user") =>
        MappingBuilder.Removal(Parties, signer, role, DpId, csi, mappingId, reason);

    /// <summary>Trust for offline verification: the harness's CSIP and MSPs plus the DP's advertised keys.</summary>
    public TrustStore Trust => new([Parties.Csip.Trusted, .. Parties.Msps.Select(m => m.Trusted), .. fixture.Meta.SigningKeys]);

    public MappingVerification Verify(ServedMapping mapping, VerificationPolicy policy) =>
        MappingVerifier.Verify(mapping.Bytes, Trust, fixture.Now, policy);
}
