using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Vectors;

/// <summary>
/// One signer of a vector mapping. Every knob breaks one thing: the role header, the kid header, the whole protected
/// header, or the signature bytes after signing.
/// </summary>
public sealed record DraftSigner(SigningKey Key, string? Role)
{
    /// <summary>Replaces the protected header map (default {1: -8, 4: kid, "role": role}).</summary>
    public Func<CoseHeaderMap, CoseHeaderMap>? Headers { get; init; }

    /// <summary>Replaces the serialized protected header (e.g. non-deterministic bytes); signed as given.</summary>
    public Func<byte[], byte[]>? ProtectedBytes { get; init; }

    /// <summary>Changes the signature after signing.</summary>
    public Func<byte[], byte[]>? Signature { get; init; }

    /// <summary>Signs with a function other than the key's own Ed25519 (edge-case forgeries).</summary>
    public Func<byte[], byte[]>? Signer { get; init; }

    /// <summary>Changes the protected header after signing (the signature no longer covers it).</summary>
    public Func<byte[], byte[]>? ProtectedAfterSigning { get; init; }

    /// <summary>The unprotected header (default empty, as PROFILE.md §4.1 requires).</summary>
    public CoseHeaderMap? Unprotected { get; init; }
}

/// <summary>A mapping under construction for a vector: payload, body header and signers, plus byte-level edits.</summary>
public sealed record MappingDraft
{
    public required MappingPayload Payload { get; init; }

    public CoseHeaderMap Body { get; init; } = new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType);

    public required IReadOnlyList<DraftSigner> Signers { get; init; }

    /// <summary>Replaces the encoded payload (signed as given).</summary>
    public Func<byte[], byte[]>? PayloadBytes { get; init; }

    /// <summary>Changes the encoded payload after signing.</summary>
    public Func<byte[], byte[]>? PayloadAfterSigning { get; init; }

    /// <summary>Changes the body protected header after signing.</summary>
    public Func<byte[], byte[]>? BodyAfterSigning { get; init; }

    /// <summary>Changes the whole encoded object.</summary>
    public Func<byte[], byte[]>? Encoded { get; init; }

    /// <summary>Non-empty unprotected header on the body.</summary>
    public bool UnprotectedBody { get; init; }

    public byte[] Encode()
    {
        var payload = PayloadBytes is null ? Payload.Encode() : PayloadBytes(Payload.Encode());
        var bodyBytes = Body.Encode();
        var cose = new CoseSign(bodyBytes, Body, new CoseHeaderMap(), payload, []);
        var signatures = new List<CoseSignature>();
        foreach (var s in Signers)
        {
            var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, s.Key.KeyId);
            if (s.Role is not null)
                headers.Set(CoseHeaderMap.Role, s.Role);
            if (s.Headers is not null)
                headers = s.Headers(headers);
            var pb = s.ProtectedBytes is null ? headers.Encode() : s.ProtectedBytes(headers.Encode());
            var tbs = cose.ToBeSigned(pb);
            var sig = s.Signer is null ? s.Key.Sign(tbs) : s.Signer(tbs);
            if (s.Signature is not null)
                sig = s.Signature(sig);
            if (s.ProtectedAfterSigning is not null)
                pb = s.ProtectedAfterSigning(pb);
            signatures.Add(new CoseSignature(pb, headers, s.Unprotected ?? new CoseHeaderMap(), sig));
        }
        if (PayloadAfterSigning is not null)
            payload = PayloadAfterSigning(payload);
        if (BodyAfterSigning is not null)
            bodyBytes = BodyAfterSigning(bodyBytes);
        var unprotected = UnprotectedBody ? new CoseHeaderMap().Set(CoseHeaderMap.Kid, new byte[] { 1 }) : new CoseHeaderMap();
        var encoded = new CoseSign(bodyBytes, Body, unprotected, payload, signatures).Encode();
        return Encoded is null ? encoded : Encoded(encoded);
    }
}

/// <summary>Byte-level CBOR edits for non-deterministic and malformed vectors.</summary>
public static class CborEdits
{
    /// <summary>The entries of a definite-length map with text keys: (key, encoded key, encoded value).</summary>
    public static List<(string Key, byte[] EncodedKey, byte[] EncodedValue)> Entries(byte[] map)
    {
        var r = new CborReader(map, CborConformanceMode.Lax);
        var n = r.ReadStartMap() ?? throw new ArgumentException("indefinite map");
        var list = new List<(string, byte[], byte[])>(n);
        for (var i = 0; i < n; i++)
        {
            var k = r.ReadEncodedValue().ToArray();
            var key = new CborReader(k).ReadTextString();
            list.Add((key, k, r.ReadEncodedValue().ToArray()));
        }
        return list;
    }

    public static byte[] Map(IEnumerable<(string Key, byte[] EncodedKey, byte[] EncodedValue)> entries, bool indefinite = false)
    {
        var list = entries.ToList();
        var w = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false);
        if (indefinite)
            w.WriteStartMap(null);
        else
            w.WriteStartMap(list.Count);
        foreach (var (_, k, v) in list)
        {
            w.WriteEncodedValue(k);
            w.WriteEncodedValue(v);
        }
        w.WriteEndMap();
        return w.Encode();
    }

    public static byte[] ReplaceValue(byte[] map, string key, byte[] encodedValue) =>
        Map(Entries(map).Select(e => e.Key == key ? (e.Key, e.EncodedKey, encodedValue) : e));

    public static byte[] Encode(Action<CborWriter> write)
    {
        var w = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false);
        write(w);
        return w.Encode();
    }

    /// <summary>Adds an entry and re-sorts bytewise, so only the new key is wrong.</summary>
    public static byte[] AddSorted(byte[] map, string key, byte[] encodedValue)
    {
        var entries = Entries(map);
        entries.Add((key, Encode(w => w.WriteTextString(key)), encodedValue));
        return Map(entries.OrderBy(e => Convert.ToHexString(e.EncodedKey), StringComparer.Ordinal));
    }

    /// <summary>The four top-level elements of a tagged COSE_Sign, as encoded values.</summary>
    public static byte[][] CoseParts(byte[] cose)
    {
        var r = new CborReader(cose, CborConformanceMode.Lax);
        r.ReadTag();
        r.ReadStartArray();
        return [.. Enumerable.Range(0, 4).Select(_ => r.ReadEncodedValue().ToArray())];
    }

    public static byte[] Cose(IEnumerable<byte[]> parts, ulong? tag = CoseSign.Tag, bool indefinite = false)
    {
        var list = parts.ToList();
        return Encode(w =>
        {
            if (tag is { } t)
                w.WriteTag((CborTag)t);
            if (indefinite)
                w.WriteStartArray(null);
            else
                w.WriteStartArray(list.Count);
            foreach (var p in list)
                w.WriteEncodedValue(p);
            w.WriteEndArray();
        });
    }

    public static byte[] FlipLastBit(byte[] b)
    {
        var c = (byte[])b.Clone();
        c[^1] ^= 0x01;
        return c;
    }

    public static byte[] FlipFirstBit(byte[] b)
    {
        var c = (byte[])b.Clone();
        c[0] ^= 0x01;
        return c;
    }
}
