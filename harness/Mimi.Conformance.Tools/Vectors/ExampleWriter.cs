using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

using Mimi.Conformance.Harness.Vectors;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// vectors/examples/: one worked example per profile message, as hex plus CBOR diagnostic notation (CBOR messages)
/// or JSON with the embedded CBOR decoded. Deterministic like the vectors; PROFILE.md §9 embeds the same text.
/// </summary>
internal static class ExampleWriter
{
    public const string ProfileBegin = "<!-- BEGIN generated examples (./run.sh vectors generate) -->";
    public const string ProfileEnd = "<!-- END generated examples -->";

    private sealed record Example(string File, string Title, string Text, string Short);

    public static IReadOnlyList<(string Name, string Text)> Generate() =>
        [.. Examples().Select(e => (e.File, $"# {e.Title}\n\n{e.Text}")), ("README.md", Index())];

    /// <summary>The block PROFILE.md §9 carries between <see cref="ProfileBegin"/> and <see cref="ProfileEnd"/>.</summary>
    public static string ProfileSection() =>
        string.Concat(Examples().Select(e => $"#### {e.Title}\n\n{e.Short}\n"));

    /// <summary>Replaces the generated block of PROFILE.md; false when the markers are absent.</summary>
    public static bool UpdateProfile(string profilePath)
    {
        var text = File.ReadAllText(profilePath);
        var begin = text.IndexOf(ProfileBegin, StringComparison.Ordinal);
        var end = text.IndexOf(ProfileEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            return false;
        var updated = string.Concat(text.AsSpan(0, begin + ProfileBegin.Length), "\n", ProfileSection(), text.AsSpan(end));
        if (updated != text)
            File.WriteAllText(profilePath, updated, new UTF8Encoding(false));
        return true;
    }

    private static string Index() =>
        "# Worked examples (generated)\n\nOne file per profile message, written by `./run.sh vectors generate` with the fixed keys of the vectors " +
        "(csip.vectors.test, mimi://msp-a.vectors.test, mimi://dp-a.vectors.test). CBOR is shown as hex and as RFC 8949 §8 diagnostic notation, " +
        "byte strings holding CBOR as `<<...>>`. Do not edit by hand.\n\n" +
        string.Concat(Examples().Select(e => $"- [{e.Title}]({e.File})\n"));

    private static List<Example> Examples()
    {
        var p = new VectorParties();
        var credential = p.Credential();
        var payload = p.Payload(pop: credential);
        var published = new MappingDraft { Payload = payload, Signers = [p.AsRecipient, p.AsMspA] }.Encode();
        var countersigned = CoseSign.Decode(published).AddSignature(p.Dp, SignerRoles.Dp).Encode();
        var id = MappingPayload.IdOf(payload.Encode());
        var removal = CoseSign1.Sign(p.Recipient, SignerRoles.Recipient,
            new RemovalRequest(payload.Csi, payload.CsiType, id, p.Nonce(), VectorParties.Now, "user", VectorParties.DpId).Encode()).Encode();
        var metadata = new JsonObject
        {
            ["profile"] = ProfileConstants.Version,
            ["dp_id"] = VectorParties.DpId,
            ["endpoints"] = new JsonObject { ["publish"] = "/v1/mappings", ["lookup"] = "/v1/lookup", ["remove"] = "/v1/mappings/remove", ["import"] = "/v1/mappings/import" },
            ["signing_keys"] = new JsonArray(new JsonObject { ["kid"] = B64.Encode(p.Dp.KeyId), ["alg"] = "EdDSA", ["crv"] = "Ed25519", ["x"] = B64.Encode(p.Dp.PublicKey) }),
            ["csi_types"] = new JsonArray("e164", "email"),
            ["conformance_classes"] = new JsonArray("core", "joint-signature"),
            ["federation"] = new JsonObject { ["default"] = "local", ["modes"] = new JsonArray("local") },
            ["limits"] = new JsonObject { ["max_body_bytes"] = 65536, ["max_msps"] = 32, ["max_tags"] = 16, ["max_tag_bytes"] = 256 },
            ["test_control"] = "/test-control",
        };
        return
        [
            Cbor("credential.md", "Proof-of-possession credential (COSE_Sign1, §4.2)",
                "Issued by csip.vectors.test for +15550100001, binding the recipient's key (cnf).", credential),
            Cbor("mapping.md", "Mapping as published (COSE_Sign, §4.1, §6.2)",
                "Signed by the recipient and MSP A, before the DP countersigns. The payload's pop holds the credential above.", published),
            Cbor("mapping-countersigned.md", "Mapping as stored and served (COSE_Sign with the dp signature, §4.3, §6.2)",
                "The published bytes with DP A's signature appended; payload and the other signatures are unchanged.", countersigned),
            Cbor("removal.md", "Removal request (COSE_Sign1, §6.4)", $"Signed by the recipient for mapping {id}.", removal),
            Json("publish-request.md", "Publish request (§6.2)", Wire(new PublishRequest(B64.Encode(published)), WireJson.Default.PublishRequest), published),
            Json("publish-response.md", "Publish response (§6.2, HTTP 201)", Wire(new PublishResponse(id, B64.Encode(countersigned)), WireJson.Default.PublishResponse), countersigned),
            Json("lookup-request.md", "Lookup request (§6.3)", Wire(new LookupRequest(payload.Csi, payload.CsiType), WireJson.Default.LookupRequest), null),
            Json("lookup-response.md", "Lookup response (§6.3, HTTP 200)",
                Wire(new LookupResponse("found", [new LookupEntry(id, B64.Encode(countersigned))]), WireJson.Default.LookupResponse), countersigned),
            Json("import-request.md", "Import request (§6.5)", Wire(new PublishRequest(B64.Encode(countersigned)), WireJson.Default.PublishRequest), countersigned),
            Json("remove-request.md", "Remove request (§6.4)", Wire(new RemoveRequest(B64.Encode(removal)), WireJson.Default.RemoveRequest), removal),
            Json("metadata.md", "Metadata (§6.1, GET /.well-known/mimi-discovery)", metadata, null),
        ];
    }

    /// <summary>A wire record as the JSON the profile's parties exchange (Protocol/Profile/Wire).</summary>
    private static JsonObject Wire<T>(T record, JsonTypeInfo<T> type) => JsonSerializer.SerializeToNode(record, type)!.AsObject();

    private static Example Cbor(string file, string title, string description, byte[] cbor) =>
        new(file, title, $"{description}\n\n{CborBlocks(cbor)}", $"{description}\n\n{CborBlocks(cbor)}");

    private static Example Json(string file, string title, JsonObject body, byte[]? embedded)
    {
        var json = $"```json\n{VectorFiles.Serialize(body).TrimEnd()}\n```\n";
        return new(file, title, json + (embedded is null ? "" : $"\nThe base64url value decodes to:\n\n{CborBlocks(embedded)}"),
            json + (embedded is null ? "" : "\nThe base64url value is the CBOR example of the same name above (full decoding in vectors/examples/).\n"));
    }

    private static string CborBlocks(byte[] cbor)
    {
        var hex = Convert.ToHexStringLower(cbor);
        var lines = Enumerable.Range(0, (hex.Length + 95) / 96).Select(i => hex.Substring(i * 96, Math.Min(96, hex.Length - (i * 96))));
        return $"Hex ({cbor.Length} bytes):\n\n```\n{string.Join("\n", lines)}\n```\n\nDiagnostic notation:\n\n```\n{CborDiagnostic.ToDiagnostic(cbor, embeddedCbor: true, indent: true)}\n```\n";
    }
}
