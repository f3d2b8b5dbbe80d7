using System.Net;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Sender;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>A deliberately broken sender (vectors/SENDER-ADAPTER.md §8): its name, what it does wrong, the rules it must fail.</summary>
internal sealed record SenderFault(string Name, string Description, IReadOnlyList<string> Rules);

/// <summary>
/// The harness's own verifier (<see cref="MappingVerifier"/>), tie-break (<see cref="TieBreak"/>) and tag rules behind
/// the adapter protocol (<c>mimi-conformance sender-adapter</c>, <c>./run.sh sender --self</c>). With a fault it is
/// a broken sender for the self-test; the <c>misbehave-*</c> modes break the protocol itself.
/// </summary>
internal sealed class SelfAdapter(string? fault, TimeProvider time)
{
    public static IReadOnlyList<SenderFault> Faults { get; } =
    [
        new("accept-malformed-cose", "accepts a mapping whose COSE structure is wrong", ["PROF-SV-02", "PROF-SV-03"]),
        new("accept-bad-payload", "accepts a payload that does not match §4.1", ["PROF-SV-02", "PROF-SV-04"]),
        new("accept-expired", "ignores iat/exp against now", ["PROF-SV-02", "PROF-SV-05"]),
        new("skip-credential-check", "does not check the CSIP credential's format, issuer or signature", ["PROF-SV-02", "PROF-SV-06"]),
        new("ignore-pop-subject", "accepts a credential for another CSI", ["PROF-SV-02", "PROF-SV-07"]),
        new("ignore-pop-validity", "ignores the credential's validity against the mapping", ["PROF-SV-02", "PROF-SV-08"]),
        new("ignore-signer-roles", "accepts any set of signer roles", ["PROF-SV-02", "PROF-SV-09"]),
        new("ignore-recipient-signature", "does not check the recipient signature or its binding to cnf (so also takes S >= L and small-order forgeries)", ["PROF-SV-02", "PROF-SV-10", "PROF-SV-13", "PROF-SV-14"]),
        new("skip-joint-signatures", "in the joint class, does not demand the dp and msp signatures", ["PROF-SV-02", "PROF-SV-11"]),
        new("ignore-present-signatures", "outside the joint class, ignores dp and msp signatures that are present (so also their S >= L forgeries)", ["PROF-SV-02", "PROF-SV-12", "PROF-SV-13"]),
        new("lax-ed25519", "reduces S modulo L before verifying (accepts S >= L)", ["PROF-SV-02", "PROF-SV-13"]),
        new("accept-small-order", "accepts any signature under a small-order or non-canonical key (ZIP-215 style)", ["PROF-SV-14"]),
        new("reject-offline", "rejects every valid mapping: it insists on fetching the CSIP key online", ["PROF-SV-01"]),
        new("first-entry", "takes the first entry in DP order, ignoring saved state, tags and the tie-break", ["PROF-TAG-09"]),
        new("trust-undisclosed-tag", "trusts every tag in a released block without finding its digest", ["PROF-TAG-10", "PROF-TAG-20"]),
        new("any-entry-digest", "finds a released tag's digest in any MSP entry, not only its own", ["PROF-TAG-20"]),
        new("reject-decoys", "proves nothing when an entry's sd_tags hold digests no disclosure opens", ["PROF-TAG-11"]),
        new("strict-metadata", "refuses metadata and lookup answers with unknown members", ["PROF-META-07"]),
        new("origin-relative", "resolves every relative reference against the document's origin", ["PROF-AE-08"]),
        new("pin-first-key", "keeps only the first key seen per CSI in a lookup, dropping the holder's other keys", ["PROF-CRED-02"]),
        new("keep-all", "keeps every mapping a lookup returns, verified or not", ["PROF-SV-02", "PROF-SV-05"]),
    ];

    /// <summary>Protocol misbehaviours for the harness's own tests: they break the adapter, not a sender rule.</summary>
    public static IReadOnlyList<string> Misbehaviours { get; } = ["misbehave-exit-on-resolve", "misbehave-hang-on-resolve", "misbehave-garbage-on-resolve", "misbehave-wrong-protocol"];

    public static bool IsKnown(string name) => Faults.Any(f => f.Name == name) || Misbehaviours.Contains(name);

    private static readonly string[] StructuralSteps = ["cose-structure"];
    private static readonly Dictionary<string, string[]> IgnoredSteps = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["accept-malformed-cose"] = StructuralSteps,
        ["accept-bad-payload"] = ["payload-format"],
        ["accept-expired"] = ["mapping-validity"],
        ["skip-credential-check"] = ["pop-format", "pop-issuer-trusted", "pop-signature"],
        ["ignore-pop-subject"] = ["pop-subject"],
        ["ignore-pop-validity"] = ["pop-validity"],
        ["ignore-signer-roles"] = ["signer-roles"],
        ["ignore-recipient-signature"] = ["recipient-key-bound", "recipient-signature"],
    };

    private static readonly string[] ThirdPartySteps = ["dp-key-trusted", "dp-signature", "msp-key-trusted", "msp-signature", "msp-signers-listed"];

    /// <summary>Serves requests until stdin closes. Returns the process exit code.</summary>
    public async Task<int> ServeAsync(TextReader input, TextWriter output, CancellationToken ct)
    {
        string? line;
        while ((line = await input.ReadLineAsync(ct)) is not null)
        {
            JsonObject request;
            try
            {
                request = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException e)
            {
                await output.WriteLineAsync(new JsonObject { ["id"] = null, ["error"] = $"not a JSON object: {e.Message}" }.ToJsonString());
                await output.FlushAsync(ct);
                continue;
            }
            var op = Text(request["op"]);
            if (op == "resolve" && fault == "misbehave-exit-on-resolve")
                return 3;
            if (op == "resolve" && fault == "misbehave-hang-on-resolve")
                await Task.Delay(Timeout.Infinite, ct);
            if (op == "resolve" && fault == "misbehave-garbage-on-resolve")
            {
                await output.WriteLineAsync("<<this is not json>>");
                await output.FlushAsync(ct);
                continue;
            }
            JsonObject answer;
            try
            {
                answer = op switch
                {
                    "handshake" => Handshake(),
                    "verify" => Verify(request),
                    "ed25519" => Eddsa(request),
                    "select" => Select(request),
                    "disclose" => Disclose(request),
                    "resolve" => Resolve(request),
                    "lookup" => await LookupAsync(request, ct),
                    _ => new JsonObject { ["error"] = $"unknown op {op}" },
                };
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException or HttpRequestException or JsonException or ArgumentException)
            {
                answer = new JsonObject { ["error"] = $"{e.GetType().Name}: {e.Message}" };
            }
            answer["id"] = request["id"]?.DeepClone();
            await output.WriteLineAsync(answer.ToJsonString());
            await output.FlushAsync(ct);
        }
        return 0;
    }

    private JsonObject Handshake() => new()
    {
        ["protocol"] = fault == "misbehave-wrong-protocol" ? "mimi-sender-adapter/0" : AdapterProcess.Protocol,
        ["profile"] = ProfileConstants.Version,
        ["adapter"] = new JsonObject { ["name"] = fault is null ? "mimi-conformance-self" : $"mimi-conformance-self+{fault}", ["language"] = "C#", ["version"] = SenderReport.SuiteVersion },
        ["ops"] = new JsonArray("verify", "ed25519", "select", "disclose", "resolve", "lookup"),
    };

    private static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static TrustStore Trust(JsonNode? trust) => new((trust as JsonArray ?? []).OfType<JsonObject>().Select(k =>
        new TrustedKey(Text(k["role"])!, Text(k["owner"])!, Convert.FromHexString(Text(k["public_key"])!))));

    private JsonObject Verify(JsonObject request)
    {
        var mapping = Convert.FromHexString(Text(request["mapping"])!);
        var joint = Text(request["class"]) == "joint";
        var result = VerifyBytes(mapping, Trust(request["trust"]), request["now"]!.GetValue<long>(), joint);
        if (fault == "reject-offline" && result.Rule is null)
            return new JsonObject { ["result"] = "invalid", ["rule"] = "pop-issuer-trusted" };
        return result.Rule is null ? new JsonObject { ["result"] = "valid" } : new JsonObject { ["result"] = "invalid", ["rule"] = result.Rule };
    }

    private (string? Rule, MappingVerification V) VerifyBytes(byte[] mapping, TrustStore trust, long now, bool joint)
    {
        if (fault == "lax-ed25519")
            mapping = ReduceSignatures(mapping);
        var v = MappingVerifier.Verify(mapping, trust, now, joint ? VerificationPolicy.Joint : VerificationPolicy.RecipientOnly);
        var ignored = new HashSet<string>(fault is not null && IgnoredSteps.TryGetValue(fault, out var steps) ? steps : [], StringComparer.Ordinal);
        if ((fault == "skip-joint-signatures" && joint) || (fault == "ignore-present-signatures" && !joint))
            ignored.UnionWith(ThirdPartySteps);
        var first = v.Steps.FirstOrDefault(s => !s.Passed && !ignored.Contains(s.Rule));
        // A skipped step that stops the procedure (a structure the verifier cannot read on) leaves nothing to report.
        return (first?.Rule, v);
    }

    /// <summary>lax-ed25519: every 64-byte signature with S ≥ L gets S mod L, as a verifier that does not check S would compute.</summary>
    private static byte[] ReduceSignatures(byte[] mapping)
    {
        CoseSign cose;
        try
        {
            cose = CoseSign.Decode(mapping);
        }
        catch (CoseFormatException)
        {
            return mapping;
        }
        var changed = cose with { Signatures = [.. cose.Signatures.Select(s => s with { Signature = Reduced(s.Signature) })] };
        return changed.Encode();
    }

    private static readonly BigInteger L = Mimi.Conformance.Tools.Vectors.Ed25519Edges.L;
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    // The y coordinates (sign bit cleared) of the eight small-order points of edwards25519.
    private static readonly string[] SmallOrderY =
    [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    ];

    private static byte[] WithoutSign(byte[] point)
    {
        var y = (byte[])point.Clone();
        y[31] &= 0x7f;
        return y;
    }

    private static bool IsSmallOrder(byte[] point) => SmallOrderY.Contains(Convert.ToHexStringLower(WithoutSign(point)));

    private static bool IsNonCanonical(byte[] point) => new BigInteger(WithoutSign(point), isUnsigned: true, isBigEndian: false) >= P;

    private static byte[] Reduced(byte[] signature)
    {
        if (signature.Length != 64)
            return signature;
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        if (s < L)
            return signature;
        var reduced = (s % L).ToByteArray(isUnsigned: true, isBigEndian: false);
        var copy = (byte[])signature.Clone();
        Array.Clear(copy, 32, 32);
        reduced.CopyTo(copy, 32);
        return copy;
    }

    private JsonObject Eddsa(JsonObject request)
    {
        var pk = Convert.FromHexString(Text(request["public_key"])!);
        var msg = Convert.FromHexString(Text(request["message"])!);
        var sig = Convert.FromHexString(Text(request["signature"])!);
        if (fault == "lax-ed25519")
            sig = Reduced(sig);
        var ok = pk.Length == 32 && sig.Length == 64 && Ed25519.Verify(pk, msg, sig);
        if (fault == "accept-small-order" && !ok && pk.Length == 32 && sig.Length == 64 && (IsSmallOrder(pk) || IsNonCanonical(pk) || IsNonCanonical(sig[..32])))
            ok = true;
        return new JsonObject { ["result"] = ok ? "valid" : "invalid" };
    }

    private JsonObject Select(JsonObject request)
    {
        var csi = Text(request["csi"])!;
        var candidates = (request["mappings"] as JsonArray ?? []).OfType<JsonObject>().Select(m => new TieBreakCandidate(Text(m["mapping_id"])!,
            [.. (m["msps"] as JsonArray ?? []).OfType<JsonObject>().Select(e => new MspEntry(Text(e["msp"])!, [.. (e["tags"] as JsonArray ?? []).Select(t => Text(t)!)]))])).ToArray();
        var purpose = Text(request["purpose"]);
        var saved = request["saved"] is JsonObject s ? new TieBreakState(Text(s["csi"])!, Text(s["purpose"]), Text(s["mapping_id"])!, Text(s["msp"])!) : null;
        TieBreakPick? choice;
        if (fault == "first-entry")
        {
            var first = candidates.SelectMany(c => c.Msps.Select(m => new TieBreakPick(c.MappingId, m.Msp))).FirstOrDefault();
            choice = first;
        }
        else
        {
            choice = TieBreak.Choose(csi, candidates, purpose, saved, request["reevaluate"]?.GetValue<bool>() ?? false).Choice;
        }
        return new JsonObject
        {
            ["choice"] = choice is null ? null : new JsonObject { ["mapping_id"] = choice.MappingId, ["msp"] = choice.Msp },
            ["saved"] = choice is null ? null : new JsonObject { ["csi"] = csi, ["purpose"] = purpose, ["mapping_id"] = choice.MappingId, ["msp"] = choice.Msp },
        };
    }

    private JsonObject Disclose(JsonObject request)
    {
        var payload = MappingPayload.Decode(CoseSign.Decode(Convert.FromHexString(Text(request["mapping"])!)).Payload);
        var msp = Text(request["msp"]);
        IReadOnlyList<TagDisclosure> released;
        try
        {
            released = TagRules.DecodeBlock(Convert.FromHexString(Text(request["disclosures"])!));
        }
        catch (ProfileFormatException)
        {
            return new JsonObject { ["tags"] = new JsonArray() };
        }
        var own = payload.Msps.Where(m => m.Msp == msp).SelectMany(m => m.SdTags ?? []).ToArray();
        var pool = fault == "any-entry-digest" ? payload.Msps.SelectMany(m => m.SdTags ?? []).ToArray() : own;
        var proven = fault == "trust-undisclosed-tag"
            ? released.Select(d => d.Tag).ToList()
            : released.Where(d => pool.Any(c => c.AsSpan().SequenceEqual(d.Digest))).Select(d => d.Tag).ToList();
        if (fault == "reject-decoys" && own.Any(c => !released.Any(d => c.AsSpan().SequenceEqual(d.Digest))))
            proven.Clear();
        return new JsonObject { ["tags"] = new JsonArray([.. proven.Distinct(StringComparer.Ordinal).Select(t => (JsonNode)t)]) };
    }

    private JsonObject Resolve(JsonObject request)
    {
        var document = new Uri(Text(request["document_url"])!);
        var reference = Text(request["reference"])!;
        var url = fault == "origin-relative" && !Uri.IsWellFormedUriString(reference, UriKind.Absolute)
            ? new Uri(new Uri(document.GetLeftPart(UriPartial.Authority) + "/"), reference.TrimStart('.', '/'))
            : new Uri(document, reference);
        return new JsonObject { ["url"] = url.AbsoluteUri };
    }

    private async Task<JsonObject> LookupAsync(JsonObject request, CancellationToken ct)
    {
        using var pinned = X509Certificate2.CreateFromPem(Text(request["ca"])!);
        var pin = pinned.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 3,
            // The lookup request names the one certificate to trust (SENDER-ADAPTER.md §4.6): pinned, nothing else.
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256) == pin,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        var baseUrl = Text(request["dp"])!.TrimEnd('/');
        var metadataUrl = new Uri(baseUrl + ProfileConstants.MetadataPath);
        var metadata = JsonNode.Parse(await http.GetStringAsync(metadataUrl, ct))!.AsObject();
        if (fault == "strict-metadata" && HasUnknownMembers(metadata, ["profile", "dp_id", "endpoints", "signing_keys", "csi_types", "conformance_classes", "federation", "limits", "test_control", "rate_limit"]))
            return Unavailable();
        var lookupUrl = new Uri(metadataUrl, Text(metadata["endpoints"]?["lookup"]) ?? "/v1/lookup");
        var body = new JsonObject { ["csi"] = Text(request["csi"]), ["csi_type"] = Text(request["csi_type"]) }.ToJsonString();
        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            response?.Dispose();
            response = await http.PostAsync(lookupUrl, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
                break;
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.FromSeconds(5))
                return new JsonObject { ["status"] = "rate-limited", ["kept"] = new JsonArray() };
            await Task.Delay(wait, time, ct);
        }
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.TooManyRequests)
                return new JsonObject { ["status"] = "rate-limited", ["kept"] = new JsonArray() };
            if (!response.IsSuccessStatusCode)
                return new JsonObject { ["status"] = "unavailable", ["kept"] = new JsonArray() };
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();
            var entries = (answer["mappings"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            if (fault == "strict-metadata" && (HasUnknownMembers(answer, ["status", "mappings"]) || entries.Any(e => HasUnknownMembers(e, ["mapping_id", "mapping", "disclosures"]))))
                return Unavailable();
            var trust = Trust(request["trust"]);
            var now = request["now"]!.GetValue<long>();
            var joint = Text(request["class"]) == "joint";
            var kept = new SortedSet<string>(StringComparer.Ordinal);
            var keys = new List<byte[]>();
            foreach (var entry in entries)
            {
                if (!B64.TryDecode(Text(entry["mapping"]) ?? "", out var bytes))
                    continue;
                var (rule, v) = VerifyBytes(bytes, trust, now, joint);
                if (fault != "keep-all" && rule is not null)
                    continue;
                if (fault == "pin-first-key" && v.Pop is { } pop)
                {
                    if (keys.Count > 0 && !keys.Any(k => k.AsSpan().SequenceEqual(pop.ConfirmationKey)))
                        continue;
                    keys.Add(pop.ConfirmationKey);
                }
                kept.Add(v.MappingId ?? Text(entry["mapping_id"]) ?? "");
            }
            return new JsonObject { ["status"] = kept.Count > 0 ? "found" : "not_found", ["kept"] = new JsonArray([.. kept.Select(k => (JsonNode)k)]) };
        }
    }

    private static JsonObject Unavailable() => new() { ["status"] = "unavailable", ["kept"] = new JsonArray() };

    private static bool HasUnknownMembers(JsonObject o, string[] known) => o.Select(p => p.Key).Any(k => !known.Contains(k))
        || (o["endpoints"] is JsonObject e && e.Select(p => p.Key).Any(k => k is not ("publish" or "lookup" or "remove" or "import" or "invalidate" or "peer_lookup")));
}
