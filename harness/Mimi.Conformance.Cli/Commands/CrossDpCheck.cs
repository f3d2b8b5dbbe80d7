using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.PrivacyPass;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>
/// One DP × DP cell of the interop matrix (PROFILE.md §6.5): a mapping published at the publisher is imported by the
/// other DP and must come back from its lookup byte for byte, verifying under the publisher's dp key.
/// </summary>
internal static class CrossDpCheck
{
    private const string Manual = "to check it by hand: configure the importing DP to trust the publisher's signing key and the harness CSIP, " +
        "publish at the first DP, import the countersigned bytes at the second (POST {import}) and compare its lookup answer byte for byte";

    public static async Task<CrossCell> RunAsync(string publisherName, ConformanceOptions publisher, string viaName, ConformanceOptions via, TimeProvider time, CancellationToken ct)
    {
        CrossCell Cell(Verdict verdict, string reason) => new(publisherName, viaName, verdict, reason);
        if (!publisher.AllowTestControl || !via.AllowTestControl)
            return Cell(Verdict.NotVerifiable, $"test control is not allowed, so neither DP can be told to trust the harness CSIP or the other's key; {Manual}");
        using var a = new DpClient(publisher, time);
        using var b = new DpClient(via, time);
        var (metaA, _, errorA) = await MetadataAsync(a, ct);
        var (metaB, jsonB, errorB) = await MetadataAsync(b, ct);
        if (metaA is null || metaB is null)
            return Cell(Verdict.Error, errorA ?? errorB!);
        if (metaA.DpId == metaB.DpId)
            return Cell(Verdict.NotApplicable, $"both DPs claim dp_id {metaA.DpId}: one DP cannot relay its own mappings (§6.5 wrong-dp)");
        if (metaB.ImportPath is null)
            return Cell(Verdict.NotApplicable, $"{viaName} advertises no import endpoint (joint-signature class, PROFILE.md §6.5)");
        if (metaA.TestControlPath is null || metaB.TestControlPath is null)
            return Cell(Verdict.NotVerifiable, $"{(metaA.TestControlPath is null ? publisherName : viaName)} offers no test control; {Manual}");

        var parties = new Parties($"{publisher.Seed}/cross/{publisherName}/{viaName}", time);
        var trustA = await TrustAsync(a, metaA, parties, []);
        var trustB = await TrustAsync(b, metaB, parties, metaA.SigningKeys.Select(k => new JsonObject { ["owner"] = metaA.DpId, ["x"] = B64.Encode(k.PublicKey) }));
        if ((trustA ?? trustB) is { } trustError)
            return Cell(Verdict.Error, trustError);

        var csi = parties.NewE164();
        var (mapping, _) = MappingBuilder.For(parties, metaA.DpId, csi, parties.NewRecipientKey()).Build();
        var published = await a.PostJsonAsync(metaA.PublishPath, new JsonObject { ["mapping"] = B64.Encode(mapping) }, ct);
        if (published.Status is not (200 or 201) || MappingOf(published) is not { } countersigned)
            return Cell(Verdict.Fail, $"publish at {publisherName} answered {published.Describe()} without a countersigned mapping");
        var imported = await b.PostJsonAsync(metaB.ImportPath, new JsonObject { ["mapping"] = B64.Encode(countersigned) }, ct);
        if (imported.Status is not (200 or 201))
            return Cell(Verdict.Fail, $"{viaName} refused to import {publisherName}'s countersigned mapping: {imported.Describe()}{ProblemOf(imported)}");

        var directory = RateLimitPolicy.Parse(jsonB)?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath;
        var (served, lookupError) = await LookupAsync(b, metaB, directory, csi, ct);
        if (lookupError is not null)
            return Cell(Verdict.Fail, $"lookup at {viaName}: {lookupError}");
        if (!served.Any(m => m.AsSpan().SequenceEqual(countersigned)))
            return Cell(Verdict.Fail, $"{viaName} served {served.Count} mapping(s) for the imported CSI, none byte-identical to the {countersigned.Length} bytes {publisherName} countersigned");
        var trust = new TrustStore([parties.Csip.Trusted, .. metaA.SigningKeys.Select(k => new TrustedKey(SignerRoles.Dp, metaA.DpId, k.PublicKey))]);
        var policy = metaA.ConformanceClasses.Contains("joint-signature") ? VerificationPolicy.Joint : VerificationPolicy.RecipientOnly;
        var verification = MappingVerifier.Verify(countersigned, trust, time.GetUtcNow().ToUnixTimeSeconds(), policy);
        return verification.Valid
            ? Cell(Verdict.Pass, $"published at {publisherName}, imported by {viaName}, served by {viaName} byte-identical ({countersigned.Length} bytes) and verified with {publisherName}'s dp signature")
            : Cell(Verdict.Fail, $"the mapping served by {viaName} does not verify: rule {verification.FirstFailure!.Rule} ({verification.FirstFailure.Detail})");
    }

    private static async Task<(DpMetadata?, JsonObject?, string?)> MetadataAsync(DpClient client, CancellationToken ct)
    {
        var response = await client.GetAsync(MetadataPath, ct);
        return response.Status == 200 && response.Json is { } json
            ? (DpMetadata.Parse(json), json, null)
            : (null, null, $"{client.BaseUrl}{MetadataPath} answered {response.Describe()}");
    }

    private static async Task<string?> TrustAsync(DpClient client, DpMetadata meta, Parties parties, IEnumerable<JsonObject> dpKeys)
    {
        var body = new JsonObject
        {
            ["csip_keys"] = new JsonArray(new JsonObject { ["owner"] = parties.Csip.Id, ["x"] = B64.Encode(parties.Csip.Key.PublicKey) }),
            ["dp_keys"] = new JsonArray([.. dpKeys]),
        };
        var response = await client.PostJsonAsync($"{meta.TestControlPath!.TrimEnd('/')}/trust", body);
        return response.Status is 200 or 204 ? null : $"test control /trust at {client.BaseUrl} answered {response.Describe()}";
    }

    /// <summary>A lookup, answering a PrivateToken challenge (anti-enumeration class, §10) with a token from a fresh client.</summary>
    private static async Task<(IReadOnlyList<byte[]>, string?)> LookupAsync(DpClient client, DpMetadata meta, string issuerDirectory, string csi, CancellationToken ct)
    {
        var request = new JsonObject { ["csi"] = csi, ["csi_type"] = CsiTypes.E164 };
        var response = await client.PostJsonAsync(meta.LookupPath, request, ct);
        if (response.Status == 401 && ParsedChallenge.From(response, out _) is { } challenge)
        {
            var wallet = new PrivacyPassClient(client, new SeededBytes($"cross/{csi}"));
            var (credential, registered) = await wallet.RegisterClientAsync(meta.TestControlPath!);
            var (issuer, directory) = await wallet.IssuerRequestUriAsync(issuerDirectory);
            if (credential is null || issuer is null)
                return ([], $"no token: /clients answered {registered.Describe()}, the issuer directory {directory.Describe()}");
            var (token, issued) = await wallet.IssueAsync(issuer, credential, challenge.Challenge, challenge.TokenKey, challenge.Key);
            if (token is null)
                return ([], $"the issuer did not issue a token: {issued.Describe()}");
            response = await client.SendAsync(HttpMethod.Post, client.Resolve(meta.LookupPath), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request),
                "application/json", [new("Authorization", PrivacyPassClient.Authorization(token))], ct);
        }
        if (response.Status != 200 || response.Json?["mappings"] is not JsonArray items)
            return ([], $"answered {response.Describe()} without a mappings array");
        return ([.. items.Select(i => i?["mapping"] is JsonValue v && v.TryGetValue<string>(out var s) && B64.TryDecode(s, out var bytes) ? bytes : [])], null);
    }

    private static byte[]? MappingOf(DpResponse response) =>
        response.Json?["mapping"] is JsonValue v && v.TryGetValue<string>(out var s) && B64.TryDecode(s, out var bytes) ? bytes : null;

    private static string ProblemOf(DpResponse response) => response.Json?["type"] is JsonValue t ? $" ({t})" : "";
}
