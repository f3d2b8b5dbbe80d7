using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cbor;

namespace Mimi.Conformance.Protocol.Cose;

/// <summary>
/// A COSE header map (RFC 9052 §3). Labels are integers or text; values are integers, text, byte strings,
/// booleans or arrays of those — everything the profile uses. Anything else is a format error.
/// </summary>
public sealed class CoseHeaderMap
{
    public const long Alg = 1;
    public const long Crit = 2;
    public const long ContentType = 3;
    public const long Kid = 4;

    /// <summary>Profile header carrying the signer's role (recipient, msp, dp, csip).</summary>
    public const string Role = "role";

    private readonly SortedDictionary<object, object> _entries = new(LabelComparer.Instance);

    public IEnumerable<KeyValuePair<object, object>> Entries => _entries;

    public int Count => _entries.Count;

    public CoseHeaderMap Set(long label, object value) => SetLabel(label, value);

    public CoseHeaderMap Set(string label, object value) => SetLabel(label, value);

    private CoseHeaderMap SetLabel(object label, object value)
    {
        _entries[label] = value;
        return this;
    }

    public bool TryGet(object label, out object? value) => _entries.TryGetValue(Normalize(label), out value);

    public long? GetInt(object label) => TryGet(label, out var v) && v is long l ? l : null;

    public string? GetText(object label) => TryGet(label, out var v) ? v as string : null;

    public byte[]? GetBytes(object label) => TryGet(label, out var v) ? v as byte[] : null;

    public byte[] Encode()
    {
        if (_entries.Count == 0)
            return [];
        var writer = CborDeterminism.NewWriter();
        WriteTo(writer);
        return writer.Encode();
    }

    internal void WriteTo(CborWriter writer)
    {
        writer.WriteStartMap(_entries.Count);
        foreach (var (label, value) in _entries)
        {
            WriteValue(writer, label);
            WriteValue(writer, value);
        }
        writer.WriteEndMap();
    }

    /// <summary>Decodes a serialized protected header (empty bstr = empty map).</summary>
    public static CoseHeaderMap DecodeProtected(byte[] serialized, bool strict = true)
    {
        if (serialized.Length == 0)
            return new CoseHeaderMap();
        if (strict && !CborDeterminism.IsDeterministic(serialized, out var problem))
            throw new CoseFormatException($"protected header is not deterministic CBOR: {problem}");
        var reader = new CborReader(serialized, CborConformanceMode.Lax);
        var map = ReadFrom(reader);
        if (reader.BytesRemaining != 0)
            throw new CoseFormatException("trailing bytes after the protected header map");
        return map;
    }

    public static CoseHeaderMap ReadFrom(CborReader reader)
    {
        var map = new CoseHeaderMap();
        if (reader.PeekState() != CborReaderState.StartMap)
            throw new CoseFormatException("a header is not a map");
        var count = reader.ReadStartMap() ?? throw new CoseFormatException("indefinite-length header map");
        for (var i = 0; i < count; i++)
        {
            var label = reader.PeekState() switch
            {
                CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => (object)reader.ReadInt64(),
                CborReaderState.TextString => reader.ReadTextString(),
                var s => throw new CoseFormatException($"header label of type {s} (labels are int or tstr)"),
            };
            if (map._entries.ContainsKey(label))
                throw new CoseFormatException($"duplicate header label {label}");
            map._entries[label] = ReadValue(reader);
        }
        reader.ReadEndMap();
        return map;
    }

    private static object ReadValue(CborReader reader, int depth = 0) => depth > CborDeterminism.MaxDepth ? throw new CoseFormatException("header nesting too deep") : reader.PeekState() switch
    {
        CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => reader.ReadInt64(),
        CborReaderState.TextString => reader.ReadTextString(),
        CborReaderState.ByteString => reader.ReadByteString(),
        CborReaderState.Boolean => reader.ReadBoolean(),
        CborReaderState.StartArray => ReadArray(reader, depth),
        var s => throw new CoseFormatException($"header value of type {s} is not used by the profile"),
    };

    private static object[] ReadArray(CborReader reader, int depth)
    {
        var n = reader.ReadStartArray() ?? throw new CoseFormatException("indefinite-length header array");
        var items = new object[n];
        for (var i = 0; i < n; i++)
            items[i] = ReadValue(reader, depth + 1);
        reader.ReadEndArray();
        return items;
    }

    private static void WriteValue(CborWriter writer, object value)
    {
        switch (value)
        {
            case long l: writer.WriteInt64(l); break;
            case int i: writer.WriteInt32(i); break;
            case string s: writer.WriteTextString(s); break;
            case byte[] b: writer.WriteByteString(b); break;
            case bool f: writer.WriteBoolean(f); break;
            case object[] a:
                writer.WriteStartArray(a.Length);
                foreach (var item in a)
                    WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default: throw new ArgumentException($"unsupported header value type {value.GetType().Name}");
        }
    }

    private static object Normalize(object label) => label is int i ? (long)i : label;

    /// <summary>Orders labels as deterministic CBOR would: integers before text, then by encoded bytes.</summary>
    private sealed class LabelComparer : IComparer<object>
    {
        public static readonly LabelComparer Instance = new();

        public int Compare(object? x, object? y) => EncodedKey(x!).AsSpan().SequenceCompareTo(EncodedKey(y!));

        private static byte[] EncodedKey(object label)
        {
            var w = new CborWriter(CborConformanceMode.Canonical);
            WriteValue(w, Normalize(label));
            return w.Encode();
        }
    }
}

/// <summary>The bytes are not a well-formed COSE object of the expected kind.</summary>
public sealed class CoseFormatException(string message) : Exception(message);
