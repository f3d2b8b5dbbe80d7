using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Profile;

using Mimi.Conformance.Harness.Vectors;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// vectors/sender/sender_cases.json: the sender cases no other vector file holds (vectors/SENDER-ADAPTER.md §5):
/// disclosure checks (PROFILE.md §4.4), relative-URL resolution (§10.3) and the hostile-DP lookup scenarios. Fixed
/// keys and salts: regeneration is byte-identical.
/// </summary>
public static class SenderCaseVectors
{
    public const string Schema = "sender_cases_schema_v1.json";
    public const string FileName = "sender_cases.json";
    public const string Csi = "+15550100077";

    private const string Secret = "tag:alice@example.com,2026:book-club";
    private const string Other = "tag:alice@example.com,2026:chess";

    private static byte[] Salt(string label) => SHA256.HashData(Encoding.UTF8.GetBytes("sender-cases/salt/" + label))[..TagRules.SaltSize];

    private static byte[] Decoy(string label) => SHA256.HashData(Encoding.UTF8.GetBytes("sender-cases/decoy/" + label));

    private static byte[] Signed(VectorParties p, IReadOnlyList<MspEntry> msps, long? exp = null, SigningKeyChoice key = SigningKeyChoice.Recipient, bool breakSignature = false, bool untrustedCsip = false)
    {
        var recipient = key == SigningKeyChoice.Other ? p.OtherRecipient : p.Recipient;
        var pop = p.Credential(Csi, cnf: recipient.PublicKey, issuer: untrustedCsip ? p.UntrustedCsip : null);
        var payload = p.Payload(Csi, msps: msps, pop: pop, exp: exp ?? VectorParties.Now + (7 * 86_400));
        var signer = new DraftSigner(recipient, ProfileConstants.SignerRoles.Recipient) { Signature = breakSignature ? CborEdits.FlipLastBit : null };
        return new MappingDraft { Payload = payload, Signers = [signer] }.Encode();
    }

    internal enum SigningKeyChoice
    {
        Recipient,
        Other,
    }

    public static JsonObject Generate()
    {
        var p = new VectorParties();
        var tcId = 0;
        JsonObject Test(string comment, string requirement, string[] rules, JsonObject body)
        {
            var t = new JsonObject { ["tcId"] = ++tcId, ["comment"] = comment, ["requirement"] = requirement, ["rules"] = new JsonArray([.. rules.Select(r => (JsonNode)r)]) };
            foreach (var (k, v) in body.ToArray())
            {
                body.Remove(k);
                t[k] = v;
            }
            return t;
        }
        string Hex(byte[] b) => Convert.ToHexStringLower(b);
        JsonArray Strings(params string[] s) => new([.. s.Select(x => (JsonNode)x)]);

        // Disclosures (PROFILE.md §4.4): the tags a released block proves for one MSP entry.
        var salt = Salt("secret");
        var otherSalt = Salt("other");
        var good = TagRules.Digest(salt, Secret);
        var swapped = SHA256.HashData([.. Encoding.UTF8.GetBytes(Secret), .. salt]);
        byte[] Block(params TagDisclosure[] d) => TagRules.EncodeBlock(d, 256);
        var disclose = new List<JsonObject>();
        void Disclose(string comment, string[] rules, IReadOnlyList<MspEntry> msps, string msp, byte[] block, string[] proven) =>
            disclose.Add(Test(comment, "DISC-M-04", rules, new JsonObject
            {
                ["mapping"] = Hex(Signed(p, msps)), ["msp"] = msp, ["disclosures"] = Hex(block), ["tags"] = Strings(proven),
            }));
        var a = VectorParties.MspA;
        var b = VectorParties.MspB;
        Disclose("a released disclosure opens the entry's commitment", ["PROF-TAG-20"], [new MspEntry(a, ["personal"], [good])], a, Block(new TagDisclosure(salt, Secret)), [Secret]);
        Disclose("nothing released: the block is 0x80 and zeros", ["PROF-TAG-20"], [new MspEntry(a, ["personal"], [good])], a, Block(), []);
        Disclose("the digest is in another MSP entry's sd_tags, not this one's", ["PROF-TAG-20"], [new MspEntry(a, ["personal"]), new MspEntry(b, ["work"], [good])], a, Block(new TagDisclosure(salt, Secret)), []);
        Disclose("the released salt does not open the commitment", ["PROF-TAG-20"], [new MspEntry(a, ["personal"], [good])], a, Block(new TagDisclosure(otherSalt, Secret)), []);
        Disclose("two released, one committed: only that one is proven", ["PROF-TAG-20"], [new MspEntry(a, ["personal"], [good])], a, Block(new TagDisclosure(salt, Secret), new TagDisclosure(otherSalt, Other)), [Secret]);
        Disclose("padding after the array is not zero: the block proves nothing", ["PROF-TAG-20"], [new MspEntry(a, ["personal"], [good])], a, [.. Block(new TagDisclosure(salt, Secret))[..^1], 0x01], []);
        Disclose("the commitment is SHA-256(salt || UTF-8(T)), not SHA-256(T || salt)", ["PROF-TAG-10"], [new MspEntry(a, ["personal"], [swapped])], a, Block(new TagDisclosure(salt, Secret)), []);
        Disclose("the commitment binds the exact tag: another tag under the same salt is not proven", ["PROF-TAG-10"], [new MspEntry(a, ["personal"], [good])], a, Block(new TagDisclosure(salt, Other)), []);
        Disclose("decoy digests beside the commitment do not hide the released tag", ["PROF-TAG-11"], [new MspEntry(a, ["personal"], [Decoy("1"), good, Decoy("2")])], a, Block(new TagDisclosure(salt, Secret)), [Secret]);
        Disclose("decoy digests only, nothing released: nothing proven", ["PROF-TAG-11"], [new MspEntry(a, ["personal"], [Decoy("3"), Decoy("4")])], a, Block(), []);

        // Relative references (PROFILE.md §10.3): resolved against the URL of the document that carried them (RFC 3986 §5).
        const string directory = "https://dp.example:8443/.well-known/private-token-issuer-directory";
        var resolve = new List<JsonObject>();
        void Resolve(string comment, string document, string reference) =>
            resolve.Add(Test(comment, "DISC-M-07", ["PROF-AE-08"], new JsonObject
            {
                ["document_url"] = document, ["reference"] = reference, ["url"] = new Uri(new Uri(document), reference).AbsoluteUri,
            }));
        Resolve("an absolute https URL is taken as is", directory, "https://issuer.example/v1/token-request");
        Resolve("an absolute path replaces the document's path", directory, "/v1/token-request");
        Resolve("a relative path resolves against the document's directory", directory, "token-request");
        Resolve("dot segments are removed", "https://dp.example/a/b/metadata", "../v1/token-request?x=1");
        Resolve("a relative path under a deeper document", "https://dp.example:8443/v1/meta/doc", "issue");

        // Lookup scenarios: the harness plays a hostile DP; the adapter reports what it kept (SENDER-ADAPTER.md §4.6).
        var validA = Signed(p, [new MspEntry(a, ["default"])]);
        var validB = Signed(p, [new MspEntry(b, ["work"])]);
        var shortLived = Signed(p, [new MspEntry(b, ["default"])], exp: VectorParties.Now + 600);
        var badSignature = Signed(p, [new MspEntry(a, ["business"])], breakSignature: true);
        var expired = Signed(p, [new MspEntry(b, ["personal"])], exp: VectorParties.Now - 10);
        var untrusted = Signed(p, [new MspEntry(a, ["family"])], untrustedCsip: true);
        var secondKey = Signed(p, [new MspEntry(b, ["business"])], key: SigningKeyChoice.Other);
        string Id(byte[] m) => MappingPayload.IdOf(Protocol.Cose.CoseSign.Decode(m).Payload);
        JsonObject Step(long now, byte[][] served, byte[][] kept, string behaviour = "answer", JsonObject? extra = null) => new()
        {
            ["now"] = now,
            ["behaviour"] = behaviour,
            ["metadata_extra"] = extra,
            ["mappings"] = new JsonArray([.. served.Select(m => (JsonNode)Hex(m))]),
            ["kept"] = new JsonArray([.. kept.Select(Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(i => (JsonNode)i)]),
        };
        var lookups = new List<JsonObject>();
        void Lookup(string name, string comment, string requirement, string[] rules, params JsonObject[] steps) =>
            lookups.Add(Test(comment, requirement, rules, new JsonObject { ["scenario"] = name, ["steps"] = new JsonArray([.. steps]) }));
        var now = VectorParties.Now;
        Lookup("mixed", "invalid mappings among valid ones: only the valid are kept", "DISC-R-04", ["PROF-SV-02"],
            Step(now, [badSignature, validA, expired, untrusted, validB], [validA, validB]));
        Lookup("expiring", "a mapping that expires during the session is dropped although the DP still serves it", "DISC-R-04", ["PROF-SV-05"],
            Step(now, [validA, shortLived], [validA, shortLived]), Step(now + 900, [validA, shortLived], [validA]));
        Lookup("unknown-members", "unknown members in the metadata and the lookup answer are ignored", "PROF-META-01", ["PROF-META-07"],
            Step(now, [validA, validB], [validA, validB], "answer", new JsonObject { ["x_future"] = new JsonObject { ["nested"] = true }, ["endpoints_extra"] = "/v9/anything" }));
        Lookup("one-holder-two-keys", "two mappings of one assignment, bound to two keys: both are the holder's", "DISC-L-16", ["PROF-CRED-02"],
            Step(now, [validA, secondKey], [validA, secondKey]));
        Lookup("duplicated-reordered", "a duplicated mapping is kept once, and the DP's order changes nothing", "DISC-R-03", [],
            Step(now, [validA, validB, validA], [validA, validB]), Step(now + 60, [validB, validA], [validA, validB]));
        Lookup("rate-limited", "a 429 with Retry-After mid-session is not a not_found", "DISC-R-03", [],
            Step(now, [validA], [validA]), Step(now + 60, [validA, validB], [validA, validB], "429-then-answer"));
        Lookup("redirect", "the lookup endpoint answers 307 to another path on the same origin", "DISC-R-03", [],
            Step(now, [validA, validB], [validA, validB], "redirect"));

        var trust = new JsonArray([.. p.Trust.Select(k => (JsonNode)new JsonObject { ["role"] = k.Role, ["owner"] = k.Owner, ["public_key"] = Hex(k.PublicKey) })]);
        return new JsonObject
        {
            ["algorithm"] = "MIMI-SENDER-CASES",
            ["schema"] = Schema,
            ["generatorVersion"] = MappingVectorGenerator.GeneratorVersion,
            ["numberOfTests"] = tcId,
            ["header"] = new JsonArray(
                "Sender cases for the adapter protocol of vectors/SENDER-ADAPTER.md that no other vector file holds: disclose (PROFILE.md §4.4), resolve (§10.3) and lookup scenarios against a hostile DP.",
                "rules names the profile rules a case checks. Generated by ./run.sh vectors generate: do not edit by hand."),
            ["csi"] = Csi,
            ["trust"] = trust,
            ["notes"] = new JsonObject(),
            ["testGroups"] = new JsonArray(
                new JsonObject { ["type"] = "Disclose", ["tests"] = new JsonArray([.. disclose]) },
                new JsonObject { ["type"] = "Resolve", ["tests"] = new JsonArray([.. resolve]) },
                new JsonObject { ["type"] = "Lookup", ["class"] = "recipient-only", ["tests"] = new JsonArray([.. lookups]) }),
        };
    }
}
