using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Mimi.Conformance.Protocol.Cbor;

/// <summary>What <see cref="CborDiagnostic.Render"/> produced.</summary>
/// <param name="Text">The diagnostic notation, including the trailing <c>/ error: … /</c> comment when there is an error.</param>
/// <param name="Error">Why decoding stopped, without the offset; null when the input is one well-formed item.</param>
/// <param name="ErrorOffset">Byte offset in the input where the problem was found; null when there is no error.</param>
/// <param name="Truncated">True when rendering stopped at the output limit (the text then ends with <c>…</c>).</param>
public sealed record CborDiagnosticResult(string Text, string? Error, int? ErrorOffset, bool Truncated)
{
    /// <summary>The whole input was decoded as exactly one well-formed CBOR item.</summary>
    public bool IsWellFormed => Error is null && !Truncated;
}

/// <summary>
/// CBOR diagnostic notation (RFC 8949 §8, with the RFC 8610 Appendix G <c>&lt;&lt;…&gt;&gt;</c> extension on request) for any
/// input, written for reports about bytes a peer sent. It never throws on hostile input: decoding stops at the first
/// well-formedness problem and appends <c>/ error: &lt;reason&gt; at offset N /</c> to what was decoded so far; nesting is
/// limited by <c>maxDepth</c>; output is cut at <c>maxOutputChars</c> and marked with <c>…</c>.
/// </summary>
/// <remarks>
/// The decoder is hand-written rather than built on <c>CborReader</c> so that it reports precise offsets, never uses
/// exceptions for control flow and keeps rendering what it could decode. It accepts exactly RFC 8949 well-formed CBOR
/// (any encoding, not only deterministic), plus the validity rules a text dump needs: text strings must be UTF-8.
/// Formatting follows RFC 8949 Appendix A: integers in decimal (bignums stay <c>2(h'…')</c>/<c>3(h'…')</c>), floats in
/// their shortest round-trip form printed the way JavaScript prints numbers, with <c>.0</c> added to whole values
/// (<c>1.0</c>, <c>1.0e+300</c>), text as ASCII-only JSON strings (<c>"\u00fc"</c>), indefinite-length items with the
/// <c>_ </c> marker (<c>[_ 1, 2]</c>, <c>{_ "a": 1}</c>, <c>(_ h'01', h'02')</c>, <c>''_</c> and <c>""_</c> when empty).
/// </remarks>
public static class CborDiagnostic
{
    /// <summary>Largest accepted <c>maxDepth</c>; keeps the recursive decoder far from the end of the stack.</summary>
    public const int MaxSupportedDepth = 1000;

    /// <summary>Appended when the output limit cuts the text.</summary>
    public const string TruncationMarker = "…";

    /// <summary>Most characters the error comment adds after the output, separator included (not counted against <c>maxOutputChars</c>).</summary>
    public const int MaxErrorCommentChars = 256;

    private const int TrailingBytesShown = 16;

    /// <summary>Renders <paramref name="cbor"/> as diagnostic notation; see <see cref="Render"/>.</summary>
    public static string ToDiagnostic(
        ReadOnlySpan<byte> cbor, int maxDepth = 64, int maxOutputChars = 200_000, bool embeddedCbor = false, bool indent = false) =>
        Render(cbor, maxDepth, maxOutputChars, embeddedCbor, indent).Text;

    /// <summary>Renders <paramref name="cbor"/> and says whether, and where, it is not one well-formed item.</summary>
    /// <param name="cbor">Any bytes.</param>
    /// <param name="maxDepth">Deepest nesting rendered, counting arrays, maps, tags and <c>&lt;&lt;…&gt;&gt;</c>; deeper input is an error.</param>
    /// <param name="maxOutputChars">Output limit before the <c>…</c> marker; the text is at most this plus one character,
    /// plus an error comment of at most <see cref="MaxErrorCommentChars"/> characters.</param>
    /// <param name="embeddedCbor">Show a non-empty byte string that is itself exactly one well-formed item as <c>&lt;&lt;item&gt;&gt;</c>.</param>
    /// <param name="indent">Put each element of a non-empty array, map or indefinite-length string on its own line, two spaces per level.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range (a caller error, never caused by the input).</exception>
    public static CborDiagnosticResult Render(
        ReadOnlySpan<byte> cbor, int maxDepth = 64, int maxOutputChars = 200_000, bool embeddedCbor = false, bool indent = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, MaxSupportedDepth);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputChars);

        var output = new Output(maxOutputChars);
        var settings = new Settings(maxDepth, embeddedCbor, indent, output);
        var decoder = new Decoder(cbor, 0, settings);
        if (cbor.IsEmpty)
            decoder.Fail(0, "empty input, no CBOR item");
        else if (decoder.Item(0, 0) && !decoder.AtEnd)
            decoder.FailTrailing();

        if (decoder.Error is { } error)
        {
            var comment = $"/ error: {error} at offset {decoder.ErrorOffset} /";
            if (comment.Length > MaxErrorCommentChars - 1) // - 1: room for the separating space
                comment = string.Concat(comment.AsSpan(0, MaxErrorCommentChars - 4), "… /");
            output.TrimTrailingLayout();
            output.AppendUnbounded(output.Length == 0 ? comment : " " + comment);
            return new CborDiagnosticResult(output.ToString(), error, decoder.ErrorOffset, output.Full);
        }
        return new CborDiagnosticResult(output.ToString(), null, null, output.Full);
    }

    /// <summary>
    /// Shortest round-trip decimal for <paramref name="value"/>, printed as JavaScript's Number#toString does (plain
    /// notation for 1e-6 &lt;= |x| &lt; 1e21, exponent otherwise), with <c>.0</c> added to whole mantissas.
    /// </summary>
    internal static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
            return "NaN";
        if (double.IsInfinity(value))
            return value > 0 ? "Infinity" : "-Infinity";
        if (value == 0)
            return double.IsNegative(value) ? "-0.0" : "0.0";

        // "R" is the shortest string that round-trips (since .NET Core 3.0), e.g. "1.1", "1E+300", "5.960464477539063E-08".
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? r : r.Remove(dot, 1);
        var n = (dot < 0 ? r.Length : dot) + exponent; // value = 0.digits × 10^n
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
            lead++;
        digits = digits[lead..].TrimEnd('0');
        n -= lead;
        var k = digits.Length;

        string text;
        if (k <= n && n <= 21)
            text = digits + new string('0', n - k) + ".0";
        else if (0 < n && n <= 21)
            text = digits[..n] + "." + digits[n..];
        else if (-6 < n && n <= 0)
            text = "0." + new string('0', -n) + digits;
        else
        {
            var exp = n - 1;
            text = digits[..1] + "." + (k == 1 ? "0" : digits[1..]) + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }
        return value < 0 ? "-" + text : text;
    }

    private sealed class Settings(int maxDepth, bool embedded, bool indent, Output output)
    {
        public int MaxDepth { get; } = maxDepth;
        public bool Embedded { get; } = embedded;
        public bool Indent { get; } = indent;
        public Output Out { get; } = output;
    }

    /// <summary>A StringBuilder with a hard limit: past it, appends are dropped and the marker is written once.</summary>
    private sealed class Output(int limit)
    {
        private readonly StringBuilder _sb = new();

        public bool Full { get; private set; }

        public int Length => _sb.Length;

        public void Append(char c)
        {
            if (Full)
                return;
            if (_sb.Length + 1 > limit)
            {
                MarkFull();
                return;
            }
            _sb.Append(c);
        }

        public void Append(string s)
        {
            if (Full)
                return;
            if (_sb.Length + s.Length > limit)
            {
                _sb.Append(s, 0, limit - _sb.Length);
                MarkFull();
                return;
            }
            _sb.Append(s);
        }

        public void AppendUnbounded(string s) => _sb.Append(s);

        /// <summary>Drops separators and indentation written just before the point where decoding stopped.</summary>
        public void TrimTrailingLayout()
        {
            if (Full)
                return;
            var n = _sb.Length;
            while (n > 0 && _sb[n - 1] is ' ' or '\n')
                n--;
            if (n > 0 && _sb[n - 1] == ',') // no item ends with a comma: it is an element separator
                n--;
            _sb.Length = n;
        }

        /// <summary>Drops what was written after <paramref name="length"/> (only while not full).</summary>
        public void Rewind(int length) => _sb.Length = length;

        private void MarkFull()
        {
            _sb.Append('…'); // TruncationMarker
            Full = true;
        }

        public override string ToString() => _sb.ToString();
    }

    /// <summary>
    /// Recursive-descent decoder over one span. Every method returns false to stop: either <see cref="Error"/> is set
    /// (malformed input) or the output is full.
    /// </summary>
    private ref struct Decoder(ReadOnlySpan<byte> data, int baseOffset, Settings settings)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private readonly int _base = baseOffset;
        private readonly Settings _s = settings;
        private readonly Output _out = settings.Out;
        private int _pos;

        public string? Error { get; private set; }

        public int ErrorOffset { get; private set; }

        public readonly bool AtEnd => _pos == _data.Length;

        private readonly int Left => _data.Length - _pos;

        public bool Fail(int at, string reason)
        {
            Error = reason;
            ErrorOffset = _base + at;
            return false;
        }

        public bool FailTrailing()
        {
            var shown = Math.Min(Left, TrailingBytesShown);
            var hex = Convert.ToHexStringLower(_data.Slice(_pos, shown));
            return Fail(_pos, $"{Left} trailing byte(s) after the item: h'{hex}{(Left > shown ? "…" : "")}'");
        }

        /// <summary>One item. <paramref name="depth"/> counts nesting for the limit; <paramref name="level"/> is the indentation.</summary>
        public bool Item(int depth, int level)
        {
            if (_out.Full)
                return false;
            var start = _pos;
            if (!Head(out var major, out var ai, out var arg))
                return false;
            switch (major)
            {
                case 0:
                    _out.Append(arg.ToString(CultureInfo.InvariantCulture));
                    return !_out.Full;
                case 1:
                    _out.Append("-" + ((UInt128)arg + 1).ToString(CultureInfo.InvariantCulture));
                    return !_out.Full;
                case 2:
                case 3:
                    return ai == 31 ? IndefiniteString(major, start, level) : DefiniteString(major, start, arg, depth, level);
                case 4:
                    return Array(start, ai == 31, arg, depth, level);
                case 5:
                    return Map(start, ai == 31, arg, depth, level);
                case 6:
                    return Tag(start, arg, depth, level);
                default:
                    return Simple(start, ai, arg);
            }
        }

        /// <summary>Reads an initial byte and its argument; rejects reserved values (28–30) and misplaced indefinite lengths.</summary>
        private bool Head(out int major, out int ai, out ulong arg)
        {
            major = ai = 0;
            arg = 0;
            var start = _pos;
            if (Left <= 0)
                return Fail(start, "unexpected end of input");
            var ib = _data[_pos];
            major = ib >> 5;
            ai = ib & 0x1f;
            if (ai is >= 28 and <= 30)
                return Fail(start, $"reserved additional information {ai} (initial byte 0x{ib:x2})");
            if (ai == 31 && major is 0 or 1 or 6)
                return Fail(start, $"indefinite length is not allowed for major type {major} (initial byte 0x{ib:x2})");
            _pos++;
            if (ai < 24)
            {
                arg = (ulong)ai;
                return true;
            }
            if (ai == 31)
                return true;
            var size = 1 << (ai - 24);
            if (Left < size)
                return Fail(start, $"unexpected end of input in a head: {size} argument byte(s) needed, {Left} left");
            var bytes = _data.Slice(_pos, size);
            arg = size switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32BigEndian(bytes),
                _ => BinaryPrimitives.ReadUInt64BigEndian(bytes),
            };
            _pos += size;
            return true;
        }

        private bool Enter(int start, int depth)
        {
            if (depth + 1 > _s.MaxDepth)
                return Fail(start, $"nesting deeper than {_s.MaxDepth}");
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                return Fail(start, "nesting too deep for the available stack");
            return true;
        }

        private readonly void BeforeElement(int index, int level, bool indefinite)
        {
            if (_s.Indent)
            {
                _out.Append(index == 0 ? "\n" : ",\n");
                _out.Append(new string(' ', 2 * (level + 1)));
            }
            else if (index > 0)
                _out.Append(", ");
            else if (indefinite)
                _out.Append(' ');
        }

        private readonly void Close(char bracket, bool empty, int level, bool indefinite)
        {
            if (empty)
            {
                if (indefinite)
                    _out.Append(' ');
            }
            else if (_s.Indent)
            {
                _out.Append('\n');
                _out.Append(new string(' ', 2 * level));
            }
            _out.Append(bracket);
        }

        private readonly bool AtBreak => Left > 0 && _data[_pos] == 0xff;

        private bool DefiniteString(int major, int start, ulong length, int depth, int level)
        {
            if ((ulong)Left < length)
                return Fail(start, $"unexpected end of input: {(major == 2 ? "byte" : "text")} string of length {length}, {Left} byte(s) left");
            var content = _data.Slice(_pos, (int)length);
            var contentOffset = _pos;
            _pos += (int)length;
            if (major == 3)
                return Text(content, start);
            if (_s.Embedded && !content.IsEmpty && depth + 1 <= _s.MaxDepth)
            {
                var mark = _out.Length;
                _out.Append("<<");
                var inner = new Decoder(content, _base + contentOffset, _s);
                if (inner.Item(depth + 1, level) && inner.AtEnd)
                {
                    _out.Append(">>");
                    return !_out.Full;
                }
                if (_out.Full)
                    return false;
                _out.Rewind(mark);
            }
            Hex(content);
            return !_out.Full;
        }

        private readonly void Hex(ReadOnlySpan<byte> bytes)
        {
            _out.Append("h'");
            foreach (var b in bytes)
            {
                if (_out.Full)
                    return;
                _out.Append(HexDigit(b >> 4));
                _out.Append(HexDigit(b & 0xf));
            }
            _out.Append('\'');
        }

        private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

        private bool Text(ReadOnlySpan<byte> utf8, int start)
        {
            if (!Utf8.IsValid(utf8))
                return Fail(start, "text string is not valid UTF-8");
            _out.Append('"');
            foreach (var c in Encoding.UTF8.GetString(utf8))
            {
                if (_out.Full)
                    return false;
                switch (c)
                {
                    case '"': _out.Append("\\\""); break;
                    case '\\': _out.Append("\\\\"); break;
                    case '\b': _out.Append("\\b"); break;
                    case '\f': _out.Append("\\f"); break;
                    case '\n': _out.Append("\\n"); break;
                    case '\r': _out.Append("\\r"); break;
                    case '\t': _out.Append("\\t"); break;
                    case < ' ' or >= '\u007f': _out.Append($"\\u{(int)c:x4}"); break;
                    default: _out.Append(c); break;
                }
            }
            _out.Append('"');
            return !_out.Full;
        }

        private bool IndefiniteString(int major, int start, int level)
        {
            var kind = major == 2 ? "byte string" : "text string";
            if (AtBreak)
            {
                _pos++;
                _out.Append(major == 2 ? "''_" : "\"\"_"); // RFC 8949 §8.1: (_ ) would not say which kind
                return !_out.Full;
            }
            _out.Append("(_");
            for (var i = 0; ; i++)
            {
                if (Left == 0)
                    return Fail(_pos, $"unexpected end of input: indefinite-length {kind} has no break");
                if (AtBreak)
                {
                    _pos++;
                    break;
                }
                var chunkStart = _pos;
                if (!Head(out var chunkMajor, out var chunkAi, out var length))
                    return false;
                if (chunkMajor != major || chunkAi == 31)
                    return Fail(chunkStart, $"a chunk of an indefinite-length {kind} must be a definite-length {kind}");
                if ((ulong)Left < length)
                    return Fail(chunkStart, $"unexpected end of input: chunk of length {length}, {Left} byte(s) left");
                var chunk = _data.Slice(_pos, (int)length);
                _pos += (int)length;
                BeforeElement(i, level, true);
                if (major == 2)
                    Hex(chunk);
                else if (!Text(chunk, chunkStart))
                    return false;
                if (_out.Full)
                    return false;
            }
            Close(')', false, level, true);
            return !_out.Full;
        }

        private bool Array(int start, bool indefinite, ulong count, int depth, int level) =>
            Container(start, indefinite, count, depth, level, map: false);

        private bool Map(int start, bool indefinite, ulong count, int depth, int level) =>
            Container(start, indefinite, count, depth, level, map: true);

        /// <summary>The value after a map key, or false when it is missing.</summary>
        private bool MapValue(int depth, int level)
        {
            if (Left == 0)
                return Fail(_pos, "unexpected end of input: map value missing");
            if (AtBreak)
                return Fail(_pos, "break where a map value is expected");
            _out.Append(": ");
            return Item(depth + 1, level + 1);
        }

        /// <summary>An array or map, definite or indefinite: each element is an item, or a key and its value.</summary>
        private bool Container(int start, bool indefinite, ulong count, int depth, int level, bool map)
        {
            var (open, close, noun, elements) = map ? ('{', '}', "map", "pair(s)") : ('[', ']', "array", "item(s)");
            if (!Enter(start, depth))
                return false;
            _out.Append(open);
            if (indefinite)
                _out.Append('_');
            var n = 0UL;
            for (; indefinite || n < count; n++)
            {
                if (Left == 0)
                {
                    return indefinite
                        ? Fail(_pos, $"unexpected end of input: indefinite-length {noun} has no break")
                        : Fail(_pos, $"unexpected end of input: {noun} of {count} {elements} ends after {n}");
                }
                if (indefinite && AtBreak)
                {
                    _pos++;
                    break;
                }
                BeforeElement(n == 0 ? 0 : 1, level, indefinite);
                if (!Item(depth + 1, level + 1) || (map && !MapValue(depth, level)))
                    return false;
            }
            Close(close, n == 0, level, indefinite);
            return !_out.Full;
        }

        private bool Tag(int start, ulong tag, int depth, int level)
        {
            if (!Enter(start, depth))
                return false;
            _out.Append(tag.ToString(CultureInfo.InvariantCulture));
            _out.Append('(');
            if (_out.Full)
                return false;
            if (Left == 0)
                return Fail(_pos, $"unexpected end of input: tag {tag} has no content");
            if (!Item(depth + 1, level))
                return false;
            _out.Append(')');
            return !_out.Full;
        }

        private bool Simple(int start, int ai, ulong arg)
        {
            switch (ai)
            {
                case < 20:
                    _out.Append($"simple({ai})");
                    break;
                case 20: _out.Append("false"); break;
                case 21: _out.Append("true"); break;
                case 22: _out.Append("null"); break;
                case 23: _out.Append("undefined"); break;
                case 24:
                    if (arg < 32)
                        return Fail(start, $"simple value {arg} in the two-byte form (RFC 8949 §3.3: values below 32 use one byte)");
                    _out.Append($"simple({arg})");
                    break;
                case 25: _out.Append(FormatFloat((double)BitConverter.UInt16BitsToHalf((ushort)arg))); break;
                case 26: _out.Append(FormatFloat(BitConverter.UInt32BitsToSingle((uint)arg))); break;
                case 27: _out.Append(FormatFloat(BitConverter.UInt64BitsToDouble(arg))); break;
                default:
                    return Fail(start, "unexpected break (0xff) outside an indefinite-length item");
            }
            return !_out.Full;
        }
    }
}
