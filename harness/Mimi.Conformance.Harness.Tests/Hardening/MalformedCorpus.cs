using System.Formats.Cbor;
using System.Text;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Hardening;

/// <summary>One hostile request: where it goes, how, and what kind of damage it carries.</summary>
internal sealed record MalformedRequest(string Category, string Method, string Path, byte[] Body, string? ContentType);

/// <summary>
/// A deterministic corpus (fixed seed) of malformed requests against every profile endpoint: truncated and
/// corrupted CBOR, deep nesting, huge integers, duplicate keys, wrong JSON types, invalid UTF-8, oversize bodies,
/// wrong methods. Every one deserves a 4xx problem+json.
/// </summary>
internal static class MalformedCorpus
{
    public static IReadOnlyList<MalformedRequest> Generate(Parties parties, string dpId, int seed = 20261122)
    {
        var random = new Random(seed);
        var list = new List<MalformedRequest>();
        var (valid, _) = MappingBuilder.For(parties, dpId, parties.NewE164(), parties.NewRecipientKey(), ["default"]).Build();
        var removal = MappingBuilder.Removal(parties, parties.Stranger, "recipient", dpId, parties.NewE164(), "x");
        string[] cborPaths = ["/v1/mappings", "/v1/mappings/remove"];

        MalformedRequest Wrap(string category, string path, byte[] cbor) =>
            new(category, "POST", path, Json(path.EndsWith("remove", StringComparison.Ordinal) ? "removal" : "mapping", B64.Encode(cbor)), "application/json");

        // Truncations of a valid mapping and removal at 60 seeded cut points each.
        foreach (var (source, path) in new[] { (valid, cborPaths[0]), (removal, cborPaths[1]) })
        {
            for (var i = 0; i < 60; i++)
                list.Add(Wrap("truncated-cbor", path, source[..random.Next(0, source.Length)]));
        }
        // Bit flips anywhere in the structure.
        for (var i = 0; i < 80; i++)
        {
            var copy = (byte[])valid.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            list.Add(Wrap("corrupted-cbor", cborPaths[0], copy));
        }
        // Deep nesting of arrays and maps, inside and instead of the payload.
        foreach (var depth in new[] { 33, 64, 500, 5_000, 20_000 })
        {
            foreach (var path in cborPaths)
            {
                list.Add(Wrap("deep-nesting", path, Nested(depth, 0x81, 0x80)));
                list.Add(Wrap("deep-nesting", path, [0xD8, 0x62, .. Nested(depth, 0x81, 0x80)]));
                list.Add(Wrap("deep-nesting", path, Nested(depth, 0xA1, 0xA0, keyed: true)));
            }
        }
        // Huge integers and floats where the profile wants small unsigned ints.
        foreach (var item in new byte[][] { [0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x3B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xC2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0xFB, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0], [0xF9, 0x7E, 0x00] })
        {
            foreach (var key in new[] { "iat", "exp", "v", "nonce", "csi" })
            {
                list.Add(Wrap("huge-integer", cborPaths[0], TaggedMapping(MapWith(key, item))));
                list.Add(Wrap("huge-integer", cborPaths[1], Sign1(MapWith(key, item))));
            }
        }
        // Duplicate map keys in payloads, protected headers and JSON envelopes.
        foreach (var key in new[] { "csi", "iat", "msps", "dp", "pop" })
        {
            list.Add(Wrap("duplicate-keys", cborPaths[0], TaggedMapping([0xA2, .. Text(key), 0x01, .. Text(key), 0x02])));
            list.Add(Wrap("duplicate-keys", cborPaths[1], Sign1([0xA2, .. Text(key), 0x01, .. Text(key), 0x02])));
        }
        list.Add(new("duplicate-keys", "POST", "/v1/lookup", Encoding.UTF8.GetBytes("{\"csi\":\"+15550001\",\"csi\":\"+15550002\",\"csi_type\":\"e164\"}"), "application/json"));
        // Wrong JSON types and shapes for every field of every endpoint.
        string[] values = ["null", "1", "-1", "1e999", "true", "[]", "{}", "\"\"", "\"!!!\"", "\"AAAA\"", "[\"a\"]", "{\"a\":1}"];
        foreach (var (path, field) in new[] { ("/v1/lookup", "csi"), ("/v1/lookup", "csi_type"), ("/v1/mappings", "mapping"), ("/v1/mappings/remove", "removal") })
        {
            foreach (var v in values)
            {
                var body = field switch
                {
                    "csi" => $"{{\"csi\":{v},\"csi_type\":\"e164\"}}",
                    "csi_type" => $"{{\"csi\":\"+15550001\",\"csi_type\":{v}}}",
                    _ => $"{{\"{field}\":{v}}}",
                };
                list.Add(new("wrong-types", "POST", path, Encoding.UTF8.GetBytes(body), "application/json"));
            }
            foreach (var shape in new[] { "", "[]", "\"x\"", "0", "{", "}", "{\"a\":}", "[{}]" })
                list.Add(new("wrong-types", "POST", path, Encoding.UTF8.GetBytes(shape), "application/json"));
        }
        // Federation (PROFILE.md §11): the lookup's federation/format/msp_filter members, the peer endpoint, test control /peers.
        // (null is an absent optional member, ["a"] a valid dps list and 1 a valid hops: those are not malformed.)
        foreach (var v in values.Where(v => v != "null"))
        {
            list.Add(new("wrong-types", "POST", "/v1/lookup", Encoding.UTF8.GetBytes($"{{\"csi\":\"+15550001\",\"csi_type\":\"e164\",\"federation\":{v}}}"), "application/json"));
            if (v != "[\"a\"]")
                list.Add(new("wrong-types", "POST", "/v1/lookup", Encoding.UTF8.GetBytes($"{{\"csi\":\"+15550001\",\"csi_type\":\"e164\",\"federation\":{{\"mode\":\"client_selected\",\"dps\":{v}}}}}"), "application/json"));
            list.Add(new("wrong-types", "POST", "/v1/lookup", Encoding.UTF8.GetBytes($"{{\"csi\":\"+15550001\",\"csi_type\":\"e164\",\"format\":{v}}}"), "application/json"));
            list.Add(new("wrong-types", "POST", "/v1/federation/lookup", Encoding.UTF8.GetBytes($"{{\"csi\":{v},\"csi_type\":\"e164\",\"origin\":\"mimi://x.test\",\"hops\":1}}"), "application/json"));
            if (v != "1")
                list.Add(new("wrong-types", "POST", "/v1/federation/lookup", Encoding.UTF8.GetBytes($"{{\"csi\":\"+15550001\",\"csi_type\":\"e164\",\"hops\":{v}}}"), "application/json"));
            list.Add(new("wrong-types", "POST", "/test-control/peers", Encoding.UTF8.GetBytes($"{{\"registry_url\":{v},\"tls_pins\":[\"{new string('A', 43)}\"]}}"), "application/json"));
            list.Add(new("wrong-types", "POST", "/test-control/peers", Encoding.UTF8.GetBytes($"{{\"registry_url\":\"https://127.0.0.1:1/registry\",\"tls_pins\":{v}}}"), "application/json"));
        }
        // Invalid UTF-8 inside JSON strings and as raw bodies.
        for (var i = 0; i < 20; i++)
        {
            byte[] bad = [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, 0xFF, 0xFE, 0xED, 0xA0, 0x80];
            var start = random.Next(bad.Length - 2);
            var slice = bad[start..(start + 2)];
            list.Add(new("invalid-utf8", "POST", "/v1/lookup", [.. "{\"csi\":\"+1555"u8.ToArray(), .. slice, .. "\",\"csi_type\":\"e164\"}"u8.ToArray()], "application/json"));
            list.Add(new("invalid-utf8", "POST", cborPaths[i % 2], [.. slice, .. "{}"u8.ToArray()], "application/json"));
        }
        // Oversize bodies, just over and far over the 64 KiB limit.
        foreach (var size in new[] { 65_537, 70_000, 300_000, 1_000_000 })
        {
            foreach (var path in new[] { "/v1/lookup", "/v1/mappings", "/v1/mappings/remove" })
                list.Add(new("oversize", "POST", path, Encoding.UTF8.GetBytes("{\"csi\":\"" + new string('9', size) + "\"}"), "application/json"));
        }
        // Wrong methods and media types on every endpoint.
        foreach (var path in new[] { "/v1/lookup", "/v1/mappings", "/v1/mappings/remove", "/.well-known/mimi-discovery", "/test-control/trust", "/v1/federation/lookup", "/test-control/peers" })
        {
            foreach (var method in new[] { "PUT", "DELETE", "PATCH", "OPTIONS", path.StartsWith("/.well", StringComparison.Ordinal) ? "POST" : "GET" })
                list.Add(new("wrong-method", method, path, [], null));
            foreach (var type in new[] { "text/plain", "application/cbor", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
            {
                if (!path.StartsWith("/.well", StringComparison.Ordinal))
                    list.Add(new("wrong-media-type", "POST", path, Encoding.UTF8.GetBytes("{\"csi\":\"+15550001\",\"csi_type\":\"e164\"}"), type));
            }
        }
        // Random bytes.
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            list.Add(Wrap("random-cbor", cborPaths[i % 2], bytes));
        }
        return list;
    }

    private static byte[] Json(string field, string value) => Encoding.UTF8.GetBytes($"{{\"{field}\":\"{value}\"}}");

    private static byte[] Text(string s) => [(byte)(0x60 + s.Length), .. Encoding.UTF8.GetBytes(s)];

    private static byte[] MapWith(string key, byte[] value) => [0xA1, .. Text(key), .. value];

    private static byte[] Nested(int depth, byte open, byte innermost, bool keyed = false)
    {
        var bytes = new List<byte>(depth * 3);
        for (var i = 0; i < depth; i++)
        {
            bytes.Add(open);
            if (keyed)
                bytes.AddRange(Text("k"));
        }
        bytes.Add(innermost);
        return [.. bytes];
    }

    /// <summary>A COSE_Sign shell around an arbitrary payload, with one bogus signature.</summary>
    private static byte[] TaggedMapping(byte[] payload)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteTag((CborTag)98);
        w.WriteStartArray(4);
        w.WriteByteString([0xA1, 0x03, .. Text("application/mimi-mapping+cbor")]);
        w.WriteStartMap(0); w.WriteEndMap();
        w.WriteByteString(payload);
        w.WriteStartArray(1);
        w.WriteStartArray(3);
        w.WriteByteString([0xA1, 0x01, 0x27]);
        w.WriteStartMap(0); w.WriteEndMap();
        w.WriteByteString(new byte[64]);
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    private static byte[] Sign1(byte[] payload)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteTag((CborTag)18);
        w.WriteStartArray(4);
        w.WriteByteString([0xA1, 0x01, 0x27]);
        w.WriteStartMap(0); w.WriteEndMap();
        w.WriteByteString(payload);
        w.WriteByteString(new byte[64]);
        w.WriteEndArray();
        return w.Encode();
    }
}
