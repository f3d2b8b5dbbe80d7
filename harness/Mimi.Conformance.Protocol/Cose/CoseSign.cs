using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Protocol.Cose;

/// <summary>One COSE_Signature inside a COSE_Sign (RFC 9052 §4.1).</summary>
public sealed record CoseSignature(byte[] ProtectedBytes, CoseHeaderMap Protected, CoseHeaderMap Unprotected, byte[] Signature)
{
    public string? Role => Protected.GetText(CoseHeaderMap.Role);

    public byte[]? KeyId => Protected.GetBytes(CoseHeaderMap.Kid);

    public long? Algorithm => Protected.GetInt(CoseHeaderMap.Alg);
}

/// <summary>COSE_Sign, CBOR tag 98: one payload, any number of signers. The exact bytes of each part are kept.</summary>
public sealed record CoseSign(
    byte[] BodyProtectedBytes,
    CoseHeaderMap BodyProtected,
    CoseHeaderMap Unprotected,
    byte[] Payload,
    IReadOnlyList<CoseSignature> Signatures)
{
    public const ulong Tag = 98;
    public const long EdDsa = -8;

    public static CoseSign Create(CoseHeaderMap bodyProtected, byte[] payload) =>
        new(bodyProtected.Encode(), bodyProtected, new CoseHeaderMap(), payload, []);

    /// <summary>The bytes a signer signs: Sig_structure ["Signature", body_protected, sign_protected, external_aad, payload].</summary>
    public byte[] ToBeSigned(byte[] signProtectedBytes, ReadOnlySpan<byte> externalAad = default)
    {
        var w = CborDeterminism.NewWriter();
        w.WriteStartArray(5);
        w.WriteTextString("Signature");
        w.WriteByteString(BodyProtectedBytes);
        w.WriteByteString(signProtectedBytes);
        w.WriteByteString(externalAad);
        w.WriteByteString(Payload);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Appends an EdDSA signature; existing signatures stay valid because each covers only body and its own header.</summary>
    public CoseSign AddSignature(SigningKey key, string role, CoseHeaderMap? extraProtected = null)
    {
        var headers = extraProtected ?? new CoseHeaderMap();
        headers.Set(CoseHeaderMap.Alg, EdDsa).Set(CoseHeaderMap.Kid, key.KeyId).Set(CoseHeaderMap.Role, role);
        var protectedBytes = headers.Encode();
        var signature = key.Sign(ToBeSigned(protectedBytes));
        return this with { Signatures = [.. Signatures, new CoseSignature(protectedBytes, headers, new CoseHeaderMap(), signature)] };
    }

    public bool VerifySignature(CoseSignature signature, ReadOnlySpan<byte> publicKey) =>
        signature.Algorithm == EdDsa && Ed25519.Verify(publicKey, ToBeSigned(signature.ProtectedBytes), signature.Signature);

    public byte[] Encode()
    {
        var w = CborDeterminism.NewWriter();
        w.WriteTag((CborTag)Tag);
        w.WriteStartArray(4);
        w.WriteByteString(BodyProtectedBytes);
        Unprotected.WriteTo(w);
        w.WriteByteString(Payload);
        w.WriteStartArray(Signatures.Count);
        foreach (var s in Signatures)
        {
            w.WriteStartArray(3);
            w.WriteByteString(s.ProtectedBytes);
            s.Unprotected.WriteTo(w);
            w.WriteByteString(s.Signature);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Strict decode: tag 98 required, deterministic encoding, no trailing bytes, attached payload.</summary>
    public static CoseSign Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, strict: true);

    /// <summary>
    /// With <paramref name="strict"/> false, any well-formed encoding is read: for inspecting what a DP served
    /// when the test's subject is not the encoding itself.
    /// </summary>
    public static CoseSign Decode(ReadOnlySpan<byte> encoded, bool strict)
    {
        try
        {
            if (strict && !CborDeterminism.IsDeterministic(encoded, out var problem))
                throw new CoseFormatException($"not deterministic, well-formed CBOR: {problem}");
            var r = new CborReader(encoded.ToArray(), CborConformanceMode.Lax);
            if (r.PeekState() != CborReaderState.Tag || r.ReadTag() != (CborTag)Tag)
                throw new CoseFormatException("missing COSE_Sign tag 98");
            ExpectArray(r, 4, "COSE_Sign");
            var bodyProtectedBytes = r.ReadByteString();
            var bodyProtected = CoseHeaderMap.DecodeProtected(bodyProtectedBytes, strict);
            var unprotected = CoseHeaderMap.ReadFrom(r);
            if (r.PeekState() != CborReaderState.ByteString)
                throw new CoseFormatException("payload is not an attached byte string");
            var payload = r.ReadByteString();
            var n = r.ReadStartArray() ?? throw new CoseFormatException("indefinite-length signatures array");
            if (n == 0)
                throw new CoseFormatException("COSE_Sign has no signatures");
            var signatures = new List<CoseSignature>(n);
            for (var i = 0; i < n; i++)
            {
                ExpectArray(r, 3, "COSE_Signature");
                var pb = r.ReadByteString();
                var ph = CoseHeaderMap.DecodeProtected(pb, strict);
                var uh = CoseHeaderMap.ReadFrom(r);
                var sig = r.ReadByteString();
                r.ReadEndArray();
                signatures.Add(new CoseSignature(pb, ph, uh, sig));
            }
            r.ReadEndArray();
            r.ReadEndArray();
            if (r.BytesRemaining != 0)
                throw new CoseFormatException($"{r.BytesRemaining} trailing byte(s) after COSE_Sign");
            return new CoseSign(bodyProtectedBytes, bodyProtected, unprotected, payload, signatures);
        }
        catch (CborContentException e)
        {
            throw new CoseFormatException($"not deterministic, well-formed CBOR: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or OverflowException)
        {
            throw new CoseFormatException($"unexpected CBOR structure: {e.Message}");
        }
    }

    internal static void ExpectArray(CborReader r, int length, string what)
    {
        if (r.PeekState() != CborReaderState.StartArray)
            throw new CoseFormatException($"{what} is not an array");
        var n = r.ReadStartArray();
        if (n != length)
            throw new CoseFormatException($"{what} has {n?.ToString() ?? "indefinite"} elements, expected {length}");
    }
}

/// <summary>COSE_Sign1, CBOR tag 18: a single signer (credentials and removal requests).</summary>
public sealed record CoseSign1(byte[] ProtectedBytes, CoseHeaderMap Protected, CoseHeaderMap Unprotected, byte[] Payload, byte[] Signature)
{
    public const ulong Tag = 18;

    public string? Role => Protected.GetText(CoseHeaderMap.Role);

    public byte[]? KeyId => Protected.GetBytes(CoseHeaderMap.Kid);

    public static byte[] ToBeSigned(byte[] protectedBytes, byte[] payload, ReadOnlySpan<byte> externalAad = default)
    {
        var w = CborDeterminism.NewWriter();
        w.WriteStartArray(4);
        w.WriteTextString("Signature1");
        w.WriteByteString(protectedBytes);
        w.WriteByteString(externalAad);
        w.WriteByteString(payload);
        w.WriteEndArray();
        return w.Encode();
    }

    public static CoseSign1 Sign(SigningKey key, string role, byte[] payload)
    {
        var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, key.KeyId).Set(CoseHeaderMap.Role, role);
        var pb = headers.Encode();
        return new CoseSign1(pb, headers, new CoseHeaderMap(), payload, key.Sign(ToBeSigned(pb, payload)));
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> externalAad = default) =>
        Protected.GetInt(CoseHeaderMap.Alg) == CoseSign.EdDsa && Ed25519.Verify(publicKey, ToBeSigned(ProtectedBytes, Payload, externalAad), Signature);

    public byte[] Encode()
    {
        var w = CborDeterminism.NewWriter();
        w.WriteTag((CborTag)Tag);
        w.WriteStartArray(4);
        w.WriteByteString(ProtectedBytes);
        Unprotected.WriteTo(w);
        w.WriteByteString(Payload);
        w.WriteByteString(Signature);
        w.WriteEndArray();
        return w.Encode();
    }

    public static CoseSign1 Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, strict: true);

    /// <param name="strict">False only for a reference-DP fault: any well-formed encoding.</param>
    public static CoseSign1 Decode(ReadOnlySpan<byte> encoded, bool strict)
    {
        try
        {
            if (strict && !CborDeterminism.IsDeterministic(encoded, out var problem))
                throw new CoseFormatException($"not deterministic, well-formed CBOR: {problem}");
            var r = new CborReader(encoded.ToArray(), CborConformanceMode.Lax);
            if (r.PeekState() != CborReaderState.Tag || r.ReadTag() != (CborTag)Tag)
                throw new CoseFormatException("missing COSE_Sign1 tag 18");
            CoseSign.ExpectArray(r, 4, "COSE_Sign1");
            var pb = r.ReadByteString();
            var ph = CoseHeaderMap.DecodeProtected(pb, strict);
            var uh = CoseHeaderMap.ReadFrom(r);
            if (r.PeekState() != CborReaderState.ByteString)
                throw new CoseFormatException("payload is not an attached byte string");
            var payload = r.ReadByteString();
            var sig = r.ReadByteString();
            r.ReadEndArray();
            if (r.BytesRemaining != 0)
                throw new CoseFormatException($"{r.BytesRemaining} trailing byte(s) after COSE_Sign1");
            return new CoseSign1(pb, ph, uh, payload, sig);
        }
        catch (CborContentException e)
        {
            throw new CoseFormatException($"not deterministic, well-formed CBOR: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or OverflowException)
        {
            throw new CoseFormatException($"unexpected CBOR structure: {e.Message}");
        }
    }
}
