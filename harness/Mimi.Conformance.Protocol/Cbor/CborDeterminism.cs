using System.Formats.Cbor;

namespace Mimi.Conformance.Protocol.Cbor;

/// <summary>Deterministic encoding (RFC 8949 §4.2.1) checks and helpers.</summary>
public static class CborDeterminism
{
    /// <summary>Nesting deeper than this is refused outright: no profile object comes close, and it bounds recursion.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// True when <paramref name="encoded"/> is one well-formed item, with no trailing bytes, encoded as RFC 8949
    /// §4.2.1 demands: preferred (shortest) serialisation, definite lengths, map keys unique and sorted bytewise
    /// by their encodings. Checked by re-encoding under those rules and comparing bytes, so the rule set is the
    /// whole definition (System.Formats.Cbor's Canonical mode sorts keys length-first, RFC 7049 style, which differs).
    /// </summary>
    public static bool IsDeterministic(ReadOnlySpan<byte> encoded, out string? problem)
    {
        try
        {
            var reader = new CborReader(encoded.ToArray(), CborConformanceMode.Lax, allowMultipleRootLevelValues: true);
            var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: true);
            Transcode(reader, writer, 0);
            if (reader.BytesRemaining != 0)
            {
                problem = $"{reader.BytesRemaining} trailing byte(s) after the CBOR item";
                return false;
            }
            var again = writer.Encode();
            problem = again.AsSpan().SequenceEqual(encoded) ? null : "not in deterministic form (RFC 8949 §4.2.1): shortest integers and lengths, definite lengths, keys sorted bytewise";
            return problem is null;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException or FormatException)
        {
            problem = e.Message;
            return false;
        }
    }

    private static void Transcode(CborReader r, CborWriter w, int depth)
    {
        if (depth > MaxDepth)
            throw new FormatException($"nesting deeper than {MaxDepth}");
        switch (r.PeekState())
        {
            case CborReaderState.UnsignedInteger: w.WriteUInt64(r.ReadUInt64()); break;
            case CborReaderState.NegativeInteger: w.WriteCborNegativeIntegerRepresentation(r.ReadCborNegativeIntegerRepresentation()); break;
            case CborReaderState.ByteString: w.WriteByteString(r.ReadByteString()); break;
            case CborReaderState.TextString: w.WriteTextString(r.ReadTextString()); break;
            case CborReaderState.StartIndefiniteLengthByteString: w.WriteByteString(r.ReadByteString()); break;
            case CborReaderState.StartIndefiniteLengthTextString: w.WriteTextString(r.ReadTextString()); break;
            case CborReaderState.Tag: w.WriteTag(r.ReadTag()); Transcode(r, w, depth + 1); break;
            case CborReaderState.Boolean: w.WriteBoolean(r.ReadBoolean()); break;
            case CborReaderState.Null: r.ReadNull(); w.WriteNull(); break;
            case CborReaderState.SimpleValue: w.WriteSimpleValue(r.ReadSimpleValue()); break;
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                WriteShortestFloat(w, r.ReadDouble());
                break;
            case CborReaderState.StartArray:
                var n = r.ReadStartArray();
                w.WriteStartArray(n);
                while (r.PeekState() != CborReaderState.EndArray)
                    Transcode(r, w, depth + 1);
                r.ReadEndArray();
                w.WriteEndArray();
                break;
            case CborReaderState.StartMap:
                r.ReadStartMap();
                var entries = new List<(byte[] Key, byte[] Value)>();
                while (r.PeekState() != CborReaderState.EndMap)
                    entries.Add((Encode(r, depth + 1), Encode(r, depth + 1)));
                r.ReadEndMap();
                entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
                for (var i = 1; i < entries.Count; i++)
                {
                    if (entries[i].Key.AsSpan().SequenceEqual(entries[i - 1].Key))
                        throw new FormatException("duplicate map key");
                }
                w.WriteStartMap(entries.Count);
                foreach (var (k, v) in entries)
                {
                    w.WriteEncodedValue(k);
                    w.WriteEncodedValue(v);
                }
                w.WriteEndMap();
                break;
            default:
                throw new FormatException($"unexpected CBOR state {r.PeekState()}");
        }
    }

    private static byte[] Encode(CborReader r, int depth)
    {
        var w = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: true);
        Transcode(r, w, depth);
        return w.Encode();
    }

    private static void WriteShortestFloat(CborWriter w, double value)
    {
        if ((double)(Half)value == value || double.IsNaN(value))
            w.WriteHalf((Half)value);
        else if ((double)(float)value == value)
            w.WriteSingle((float)value);
        else
            w.WriteDouble(value);
    }

    public static CborWriter NewWriter() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
}
