using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>A mapping the harness published and the DP accepted.</summary>
internal sealed record PublishedMapping(string Id, MappingPayload Payload, byte[] Cose)
{
    public string Key => Convert.ToHexString(Payload.Nonce);
}

/// <summary>
/// The profile's operations (PROFILE.md §6) as the harness's roles perform them in one test: the fixture's typed
/// client, this test's Privacy Pass identity for lookups, every call recorded.
/// </summary>
internal sealed class DpOperations(ConformanceFixture fixture)
{
    public Parties Parties => fixture.Parties;

    public string DpId => fixture.Meta.DpId;

    public MappingBuilder Mapping(string csi, SigningKey recipient, params string[][] tagsPerMsp) =>
        MappingBuilder.For(Parties, DpId, csi, recipient, tagsPerMsp);

    public Task<DpResponse> PublishAsync(byte[] mapping) => fixture.Profile.PublishAsync(mapping);

    /// <summary>Publishes a mapping the DP must accept; anything else means the test cannot proceed.</summary>
    public async Task<PublishedMapping> PublishValidAsync(MappingBuilder builder)
    {
        var (cose, payload) = builder.Build();
        var response = Expect.Reachable(await PublishAsync(cose), "publish");
        Expect.That(response.Status is 200 or 201, "publish-accepted", "HTTP 201 for a valid mapping", response.Describe() + Expect.ProblemType(response));
        return new PublishedMapping(MappingPayload.IdOf(payload.Encode()), payload, cose);
    }

    /// <summary>Publishes a mapping the DP must refuse with exactly <paramref name="status"/> and <paramref name="problem"/>; a lookup then serves nothing (PROF-PUB-03).</summary>
    public async Task PublishRefusedAsync(byte[] mapping, string csi, string what, int status, string problem)
    {
        var response = Expect.Reachable(await PublishAsync(mapping), "publish");
        Expect.Refused(response, $"refuses {what}", status, problem);
        var lookup = await LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "not-visible", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    private TokenWallet? _wallet;

    /// <summary>This test's Privacy Pass identity (a fresh client per test, so allowances never leak between tests).</summary>
    public TokenWallet Tokens => _wallet ??= new TokenWallet(fixture);

    /// <summary>Publishes a mapping with exact-match-only tag disclosures beside it (PROFILE.md §4.4, §6.2).</summary>
    public Task<DpResponse> PublishAsync(byte[] mapping, IEnumerable<TagDisclosure> disclosures) => fixture.Profile.PublishAsync(mapping, disclosures);

    public Task<LookupAnswer> LookupAsync(string csi, string csiType = ProfileConstants.CsiTypes.E164) => LookupAsync(new LookupRequest(csi, csiType));

    /// <summary>A lookup naming a tag (exact match, PROFILE.md §6.3); the answer's raw response is kept for byte scans.</summary>
    public Task<LookupAnswer> LookupTaggedAsync(string csi, string tag) =>
        LookupAsync(new LookupRequest(csi, ProfileConstants.CsiTypes.E164, Tag: tag));

    /// <summary>
    /// Any lookup (e.g. with <c>federation</c> or <c>msp_filter</c>), optionally with extra request headers sent on
    /// every attempt (e.g. a cookie the DP must not pass on). A PrivateToken challenge (PROFILE.md §10) is answered
    /// with a token of this test's wallet.
    /// </summary>
    public async Task<LookupAnswer> LookupAsync(LookupRequest request, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        LookupAnswer.Parse(Expect.Reachable(await fixture.Profile.LookupAsync(request, Tokens, headers), "lookup"));

    /// <summary>§6.5: relays a mapping computed at another DP; null when the DP advertises no import endpoint.</summary>
    public async Task<DpResponse?> ImportAsync(byte[] mapping) => fixture.Meta.ImportPath is not null
        ? Expect.Reachable(await fixture.Profile.ImportAsync(mapping), "import")
        : null;

    public Task<DpResponse> RemoveAsync(byte[] removal) => fixture.Profile.RemoveAsync(removal);

    public byte[] Removal(SigningKey signer, string role, string csi, string? mappingId, string reason = "user") =>
        MappingBuilder.Removal(Parties, signer, role, DpId, csi, mappingId, reason);

    /// <summary>Trust for offline verification: the harness's CSIP and MSPs plus the DP's advertised keys.</summary>
    public TrustStore Trust => new([Parties.Csip.Trusted, .. Parties.Msps.Select(m => m.Trusted), .. fixture.Meta.SigningKeys]);

    public MappingVerification Verify(ServedMapping mapping, VerificationPolicy policy) =>
        MappingVerifier.Verify(mapping.Bytes, Trust, fixture.Now, policy);
}
