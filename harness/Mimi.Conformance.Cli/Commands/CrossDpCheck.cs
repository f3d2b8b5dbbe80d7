using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>
/// The DP × DP cells of the interop matrix for one ordered pair: a mapping published at the publisher must come back
/// from a lookup at the other DP byte for byte and verify under the publisher's dp key, once through import (PROFILE.md
/// §6.5) and once through a federated lookup (§11.4, mode client_selected naming the publisher).
/// </summary>
internal static class CrossDpCheck
{
    public const string Import = "import";
    public const string Federation = "federation";

    private const string Manual = "to check it by hand: configure the second DP to trust the publisher's signing key (import) or list it in its " +
        "registry (federation), publish at the publisher and compare the second DP's lookup answer byte for byte";

    private sealed record Side(string Name, ProfileClient Profile, ConformanceOptions Options)
    {
        public DpMetadata Meta => Profile.Metadata;

        /// <summary>Allowed for both sides before any side is built (RunAsync).</summary>
        public TestControlClient Control => Profile.TestControl!;
    }

    public static async Task<IReadOnlyList<CrossCell>> RunAsync(string publisherName, ConformanceOptions publisher, string viaName, ConformanceOptions via, TimeProvider time, CancellationToken ct)
    {
        IReadOnlyList<CrossCell> Both(Verdict verdict, string reason) =>
            [new(Import, publisherName, viaName, verdict, reason), new(Federation, publisherName, viaName, verdict, reason)];
        if (!publisher.AllowTestControl || !via.AllowTestControl)
            return Both(Verdict.NotVerifiable, $"test control is not allowed, so neither DP can be told to trust the harness CSIP or the other DP; {Manual}");
        using var clientA = new DpClient(publisher, time);
        using var clientB = new DpClient(via, time);
        var (a, errorA) = await SideAsync(publisherName, clientA, publisher, ct);
        var (b, errorB) = await SideAsync(viaName, clientB, via, ct);
        if (a is null || b is null)
            return Both(Verdict.Error, (errorA ?? errorB)!);
        if (a.Meta.DpId == b.Meta.DpId)
            return Both(Verdict.NotApplicable, $"both DPs claim dp_id {a.Meta.DpId}: a DP cannot fetch its own mappings from itself");
        if (a.Meta.TestControlPath is null || b.Meta.TestControlPath is null)
            return Both(Verdict.NotVerifiable, $"{(a.Meta.TestControlPath is null ? publisherName : viaName)} offers no test control; {Manual}");

        var parties = new Parties($"{publisher.Seed}/cross/{publisherName}/{viaName}", time);
        // Each trusts the other's dp keys: b imports a's mappings, and a answers b's signed peer lookups (PROFILE.md §11.3).
        var trustError = await TrustAsync(a, [parties.Csip.Trusted, .. b.Meta.SigningKeys.Select(k => new TrustedKey(SignerRoles.Dp, b.Meta.DpId, k.PublicKey))])
            ?? await TrustAsync(b, [parties.Csip.Trusted, .. a.Meta.SigningKeys.Select(k => new TrustedKey(SignerRoles.Dp, a.Meta.DpId, k.PublicKey))]);
        if (trustError is not null)
            return Both(Verdict.Error, trustError);
        return [await ImportAsync(a, b, parties, time, ct), await FederateAsync(a, b, parties, time, ct)];
    }

    private static async Task<CrossCell> ImportAsync(Side a, Side b, Parties parties, TimeProvider time, CancellationToken ct)
    {
        CrossCell Cell(Verdict verdict, string reason) => new(Import, a.Name, b.Name, verdict, reason);
        if (b.Meta.ImportPath is null)
            return Cell(Verdict.NotApplicable, $"{b.Name} advertises no import endpoint (joint-signature class, PROFILE.md §6.5)");
        var (csi, countersigned, publishError) = await PublishAsync(a, parties, ct);
        if (publishError is not null)
            return Cell(Verdict.Fail, publishError);
        var imported = await b.Profile.ImportAsync(countersigned!, ct);
        if (imported.Status is not (200 or 201))
            return Cell(Verdict.Fail, $"{b.Name} refused to import {a.Name}'s countersigned mapping: {imported.Describe()}{ProblemOf(imported)}");
        var (verdict, reason) = await ServedAsync(a, b, csi, countersigned!, parties, null, time, ct);
        return Cell(verdict, verdict == Verdict.Pass ? $"published at {a.Name}, imported by {b.Name}; {reason}" : reason);
    }

    private static async Task<CrossCell> FederateAsync(Side a, Side b, Parties parties, TimeProvider time, CancellationToken ct)
    {
        CrossCell Cell(Verdict verdict, string reason) => new(Federation, a.Name, b.Name, verdict, reason);
        if (!b.Meta.ConformanceClasses.Contains(Federation))
            return Cell(Verdict.NotApplicable, $"{b.Name} does not claim the federation class");
        if (a.Meta.PeerLookupPath is not { } peerLookup)
            return Cell(Verdict.NotApplicable, $"{a.Name} advertises no DP-to-DP lookup (metadata endpoints.peer_lookup, PROFILE.md §11.3)");
        if (PinOf(a.Options) is not { } pinA)
            return Cell(Verdict.NotVerifiable, $"{b.Name} must be told {a.Name}'s certificate pin (PROFILE.md §11.2); give --pin {a.Name}=<sha256> or a --ca file holding {a.Name}'s own certificate");
        var jurisdictions = a.Meta.FederationStrings("jurisdictions");
        var allowed = b.Meta.FederationStrings("forward_jurisdictions");
        if (b.Meta.Federation?["forward_jurisdictions"] is not null && !jurisdictions.Any(allowed.Contains))
            return Cell(Verdict.NotApplicable, $"{b.Name} may forward only to [{string.Join(", ", allowed)}] and {a.Name} declares [{string.Join(", ", jurisdictions)}] (§11.7)");

        var (csi, countersigned, publishError) = await PublishAsync(a, parties, ct);
        if (publishError is not null)
            return Cell(Verdict.Fail, publishError);
        await using var registry = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://registry.conformance.test", TimeProvider = time }, ct);
        var entry = FakePeerRegistry.Entry(a.Meta.DpId, a.Options.DpUrl.Authority, a.Meta.SigningKeys.Select(k => k.PublicKey), jurisdictions, new RegistryEndpoints(peerLookup));
        registry.SetRegistry(FakePeerRegistry.Build([entry]));
        var peers = await b.Control.PeersAsync(new PeersRequest(registry.RegistryUrl.ToString(), [registry.CertificatePin, pinA]), ct);
        if (!TestControlClient.Succeeded(peers))
            return Cell(Verdict.Error, $"test control /peers at {b.Name} answered {peers.Describe()}{ProblemOf(peers)}");
        var federation = new FederationRequest("client_selected", [a.Meta.DpId]);
        var (verdict, reason) = await ServedAsync(a, b, csi, countersigned!, parties, federation, time, ct);
        return Cell(verdict, verdict == Verdict.Pass ? $"published at {a.Name}, found by {b.Name} through a client_selected lookup; {reason}" : reason);
    }

    /// <summary>A fresh mapping published at the publisher: its CSI and the countersigned bytes it answered.</summary>
    private static async Task<(string Csi, byte[]? Countersigned, string? Error)> PublishAsync(Side a, Parties parties, CancellationToken ct)
    {
        var csi = parties.NewE164();
        var (mapping, _) = MappingBuilder.For(parties, a.Meta.DpId, csi, parties.NewRecipientKey()).Build();
        var published = await a.Profile.PublishAsync(mapping, ct: ct);
        return published.Status is (200 or 201) && MappingOf(published) is { } countersigned
            ? (csi, countersigned, null)
            : (csi, null, $"publish at {a.Name} answered {published.Describe()} without a countersigned mapping{ProblemOf(published)}");
    }

    /// <summary>Looks the CSI up at the second DP: pass when the publisher's bytes come back unchanged and verify.</summary>
    private static async Task<(Verdict, string)> ServedAsync(Side a, Side b, string csi, byte[] countersigned, Parties parties, FederationRequest? federation, TimeProvider time, CancellationToken ct)
    {
        var (served, lookupError) = await LookupAsync(b, csi, federation, ct);
        if (lookupError is not null)
            return (Verdict.Fail, $"lookup at {b.Name}: {lookupError}");
        if (!served.Any(m => m.AsSpan().SequenceEqual(countersigned)))
            return (Verdict.Fail, $"{b.Name} served {served.Count} mapping(s) for {a.Name}'s CSI, none byte-identical to the {countersigned.Length} bytes {a.Name} countersigned");
        var trust = new TrustStore([parties.Csip.Trusted, .. a.Meta.SigningKeys.Select(k => new TrustedKey(SignerRoles.Dp, a.Meta.DpId, k.PublicKey))]);
        var policy = a.Meta.ConformanceClasses.Contains("joint-signature") ? VerificationPolicy.Joint : VerificationPolicy.RecipientOnly;
        var verification = MappingVerifier.Verify(countersigned, trust, time.GetUtcNow().ToUnixTimeSeconds(), policy);
        return verification.Valid
            ? (Verdict.Pass, $"served by {b.Name} byte-identical ({countersigned.Length} bytes) and verified with {a.Name}'s dp signature")
            : (Verdict.Fail, $"the mapping served by {b.Name} does not verify: rule {verification.FirstFailure!.Rule} ({verification.FirstFailure.Detail})");
    }

    /// <summary>The DP's metadata, fetched once for both of the pair's checks.</summary>
    private static async Task<(Side?, string?)> SideAsync(string name, DpClient client, ConformanceOptions options, CancellationToken ct)
    {
        var (profile, response, _) = await ProfileClient.ConnectAsync(client, ct);
        return profile is not null
            ? (new Side(name, profile, options), null)
            : (null, $"{name}: {MetadataPath} answered {response.Describe()}");
    }

    private static async Task<string?> TrustAsync(Side side, IEnumerable<TrustedKey> keys)
    {
        var response = await side.Control.TrustAsync(keys);
        return TestControlClient.Succeeded(response) ? null : $"test control /trust at {side.Name} answered {response.Describe()}";
    }

    /// <summary>A lookup, answering a PrivateToken challenge (anti-enumeration class, §10) with a token from a fresh client.</summary>
    private static async Task<(IReadOnlyList<byte[]>, string?)> LookupAsync(Side side, string csi, FederationRequest? federation, CancellationToken ct)
    {
        var wallet = PrivacyPassWallet.For(side.Profile.Http, side.Meta, allowTestControl: true, new SeededBytes($"cross/{csi}"));
        DpResponse response;
        try
        {
            response = await side.Profile.LookupAsync(new LookupRequest(csi, CsiTypes.E164, Federation: federation), wallet, ct: ct);
        }
        catch (TokenUnavailableException e)
        {
            return ([], $"no token: {e.Message}");
        }
        var answer = LookupAnswer.Parse(response);
        if (!answer.HasMappingsArray)
            return ([], $"answered {response.Describe()} without a mappings array{ProblemOf(response)}");
        return ([.. answer.Mappings.Select(m => m.Bytes)], null);
    }

    /// <summary>The publisher's leaf certificate pin as §11.2 wants it: from --pin, or a --ca file that is the leaf itself.</summary>
    private static string? PinOf(ConformanceOptions options)
    {
        if (options.PinSha256 is { } hex)
            return B64.Encode(Convert.FromHexString(hex));
        if (options.CaFile is not { } file)
            return null;
        var certificate = X509CertificateLoader.LoadCertificateFromFile(file);
        return certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? B64.Encode(SHA256.HashData(certificate.RawData)) : null;
    }

    private static byte[]? MappingOf(DpResponse response) =>
        response.Json?["mapping"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && B64.TryDecode(s, out var bytes) ? bytes : null;

    private static string ProblemOf(DpResponse response) => response.ProblemType is { } type ? $" ({type})" : "";
}
