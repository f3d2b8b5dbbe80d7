using System.Formats.Cbor;
using System.Globalization;
using System.Text;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// Indented CBOR diagnostic notation (RFC 8949 §8) of a profile object, annotated with the names PROFILE.md §4 gives
/// the COSE positions and header labels (protected, payload, signatures, alg, kid) and the payload's times.
/// Lax decoding: a non-canonical object (the DP's defect) still renders; what cannot be decoded ends with a comment.
/// </summary>
internal static class CborAnnotator
{
    private const int MaxDepth = 24;
    private const int MaxChars = 64 * 1024;

    private enum Hint { None, CoseSign, CoseSign1, Signatures, Signer, Header, Payload }

    /// <param name="abbreviate">Show byte strings over 24 bytes as their first 8 and last 4 bytes (passing tests:
    /// the body above holds every byte, and random bytes would dominate the report's size).</param>
    public static string Render(ReadOnlySpan<byte> cbor, bool abbreviate = false)
    {
        var sb = new StringBuilder();
        Abbreviate = abbreviate;
        var reader = new CborReader(cbor.ToArray(), CborConformanceMode.Lax);
        try
        {
            Item(reader, sb, 0, Hint.None);
            if (reader.BytesRemaining > 0)
                sb.Append(CultureInfo.InvariantCulture, $"  / {reader.BytesRemaining} trailing bytes /");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException or TooDeep)
        {
            sb.Append(CultureInfo.InvariantCulture, $" / not decodable here: {e.Message} /");
        }

        return sb.Length > MaxChars ? string.Concat(sb.ToString(0, MaxChars), "…") : sb.ToString();
    }

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string literal; the page HTML-encodes it afterwards, so no HTML escaping here.</summary>
    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text, Relaxed);

    [ThreadStatic]
    private static bool Abbreviate;

    private static void Hex(StringBuilder sb, byte[] bytes)
    {
        if (Abbreviate && bytes.Length > 24)
        {
            sb.Append("h'").Append(Convert.ToHexString(bytes, 0, 8).ToLowerInvariant()).Append('…')
                .Append(Convert.ToHexString(bytes, bytes.Length - 4, 4).ToLowerInvariant()).Append('\'')
                .Append(CultureInfo.InvariantCulture, $" / {bytes.Length} bytes, abridged /");
            return;
        }

        sb.Append("h'").Append(Convert.ToHexString(bytes).ToLowerInvariant()).Append('\'');
        if (bytes.Length >= 16)
            sb.Append(CultureInfo.InvariantCulture, $"  / {bytes.Length} bytes /");
    }

    private sealed class TooDeep() : Exception("nested too deep");

    private static void Item(CborReader r, StringBuilder sb, int depth, Hint hint)
    {
        if (depth > MaxDepth || sb.Length > MaxChars)
            throw new TooDeep();
        switch (r.PeekState())
        {
            case CborReaderState.Tag:
                var tag = (ulong)r.ReadTag();
                sb.Append(tag.ToString(CultureInfo.InvariantCulture)).Append('(');
                var next = tag switch { 98 => Hint.CoseSign, 18 => Hint.CoseSign1, _ => Hint.None };
                if (next != Hint.None)
                    sb.Append(next == Hint.CoseSign ? "  / COSE_Sign /" : "  / COSE_Sign1 /");
                if (next != Hint.None)
                    NewLine(sb, depth + 1);
                Item(r, sb, depth + 1, next);
                sb.Append(')');
                break;
            case CborReaderState.StartArray:
                Array(r, sb, depth, hint);
                break;
            case CborReaderState.StartMap:
                Map(r, sb, depth, hint);
                break;
            case CborReaderState.ByteString:
                Hex(sb, r.ReadByteString());
                break;
            case CborReaderState.TextString:
                sb.Append(Quote(r.ReadTextString()));
                break;
            case CborReaderState.UnsignedInteger:
                sb.Append(r.ReadUInt64().ToString(CultureInfo.InvariantCulture));
                break;
            case CborReaderState.NegativeInteger:
                sb.Append((-1 - (System.Numerics.BigInteger)r.ReadCborNegativeIntegerRepresentation()).ToString(CultureInfo.InvariantCulture));
                break;
            case CborReaderState.Boolean:
                sb.Append(r.ReadBoolean() ? "true" : "false");
                break;
            case CborReaderState.Null:
                r.ReadNull();
                sb.Append("null");
                break;
            default:
                var raw = r.ReadEncodedValue();
                sb.Append("/ raw / h'").Append(Convert.ToHexString(raw.Span).ToLowerInvariant()).Append('\'');
                break;
        }
    }

    private static readonly string[] SignPositions = ["protected", "unprotected", "payload", "signatures"];
    private static readonly string[] Sign1Positions = ["protected", "unprotected", "payload", "signature"];
    private static readonly string[] SignerPositions = ["protected: signer header", "unprotected", "signature"];

    private static void Array(CborReader r, StringBuilder sb, int depth, Hint hint)
    {
        var count = r.ReadStartArray();
        sb.Append('[');
        var names = hint switch { Hint.CoseSign => SignPositions, Hint.CoseSign1 => Sign1Positions, Hint.Signer => SignerPositions, _ => [] };
        var i = 0;
        while (r.PeekState() != CborReaderState.EndArray)
        {
            if (i > 0)
                sb.Append(',');
            NewLine(sb, depth + 1);
            var name = i < names.Length ? names[i] : null;
            if (name is not null)
                sb.Append("/ ").Append(name).Append(" / ");
            var child = hint switch
            {
                Hint.CoseSign or Hint.CoseSign1 => i switch { 0 or 1 => Hint.Header, 2 => Hint.Payload, 3 when hint == Hint.CoseSign => Hint.Signatures, _ => Hint.None },
                Hint.Signatures => Hint.Signer,
                Hint.Signer => i < 2 ? Hint.Header : Hint.None,
                _ => Hint.None,
            };
            if (child is Hint.Header or Hint.Payload && r.PeekState() == CborReaderState.ByteString)
                Embedded(r, sb, depth + 1, child);
            else
            {
                Item(r, sb, depth + 1, child);
            }

            i++;
        }

        r.ReadEndArray();
        if (i > 0)
            NewLine(sb, depth);
        sb.Append(']');
        _ = count;
    }

    private static void Map(CborReader r, StringBuilder sb, int depth, Hint hint)
    {
        r.ReadStartMap();
        sb.Append('{');
        var i = 0;
        while (r.PeekState() != CborReaderState.EndMap)
        {
            if (i > 0)
                sb.Append(',');
            NewLine(sb, depth + 1);
            string? label = null;
            string? key = null;
            if (r.PeekState() == CborReaderState.TextString)
            {
                key = r.ReadTextString();
                sb.Append(Quote(key));
            }
            else if (r.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger)
            {
                var n = r.ReadInt64();
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
                if (hint == Hint.Header)
                    label = n switch { 1 => "alg", 2 => "crit", 3 => "content type", 4 => "kid", _ => null };
            }
            else
                Item(r, sb, depth + 1, Hint.None);

            sb.Append(": ");
            var start = sb.Length;
            if (key is "pop" && r.PeekState() == CborReaderState.ByteString)
            {
                sb.Append("/ CSIP credential, §4.2 / ");
                Embedded(r, sb, depth + 1, Hint.None);
            }
            else
                Item(r, sb, depth + 1, Hint.None);
            var value = sb.ToString(start, Math.Min(sb.Length - start, 24));
            var note = (label, key) switch
            {
                ("alg", _) when value == "-8" => "alg: EdDSA",
                (not null, _) => label,
                (_, "iat" or "exp" or "assigned_at" or "disconnected_since") when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s < 253402300800
                    => ReportFacts.FormatTimestamp(DateTimeOffset.FromUnixTimeSeconds(s)),
                _ => null,
            };
            if (note is not null)
                sb.Append("  / ").Append(note).Append(" /");
            i++;
        }

        r.ReadEndMap();
        if (i > 0)
            NewLine(sb, depth);
        sb.Append('}');
    }

    /// <summary>A byte string that holds one CBOR item (bstr .cbor): shown as &lt;&lt;item&gt;&gt;, else as bytes.</summary>
    private static void Embedded(CborReader r, StringBuilder sb, int depth, Hint hint)
    {
        var bytes = r.ReadByteString();
        if (bytes.Length > 0)
        {
            var inner = new CborReader(bytes, CborConformanceMode.Lax);
            var mark = sb.Length;
            try
            {
                sb.Append("<<");
                Item(inner, sb, depth, hint);
                if (inner.BytesRemaining == 0)
                {
                    sb.Append(">>");
                    return;
                }
            }
            catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
            {
            }

            sb.Length = mark;
        }

        Hex(sb, bytes);
    }

    private static void NewLine(StringBuilder sb, int depth) => sb.Append('\n').Append(' ', depth * 2);
}
