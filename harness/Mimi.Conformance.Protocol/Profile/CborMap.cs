using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cbor;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>Strict reader for the profile's text-keyed payload maps: deterministic, known keys only, typed fields.</summary>
public sealed class CborMap
{
    private readonly Dictionary<string, object?> _values;

    private CborMap(Dictionary<string, object?> values) => _values = values;

    /// <param name="allowedKeys">The keys the map may have (null: any, the others ignored).</param>
    public static CborMap Parse(byte[] encoded, string what, IReadOnlySet<string>? allowedKeys, bool strict = true)
    {
        if (strict && !CborDeterminism.IsDeterministic(encoded, out var problem))
            throw new ProfileFormatException($"{what} is not deterministically encoded CBOR: {problem}");
        try
        {
            return ParseChecked(encoded, what, allowedKeys);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new ProfileFormatException($"{what} is not the CBOR the profile defines: {e.Message}");
        }
    }

    private static CborMap ParseChecked(byte[] encoded, string what, IReadOnlySet<string>? allowedKeys)
    {
        var r = new CborReader(encoded, CborConformanceMode.Lax);
        if (r.PeekState() != CborReaderState.StartMap)
            throw new ProfileFormatException($"{what} is not a CBOR map");
        r.ReadStartMap();
        var values = new Dictionary<string, object?>();
        while (r.PeekState() != CborReaderState.EndMap)
        {
            if (r.PeekState() != CborReaderState.TextString)
                throw new ProfileFormatException($"{what} has a non-text key");
            var key = r.ReadTextString();
            if (allowedKeys?.Contains(key) == false || values.ContainsKey(key))
                throw new ProfileFormatException($"{what} has an unknown or repeated key \"{key}\"");
            values[key] = ReadAny(r, 1);
        }
        r.ReadEndMap();
        if (r.BytesRemaining != 0)
            throw new ProfileFormatException($"{what} has trailing bytes");
        return new CborMap(values);
    }

    private static object? ReadAny(CborReader r, int depth)
    {
        if (depth > CborDeterminism.MaxDepth)
            throw new ProfileFormatException($"nested deeper than {CborDeterminism.MaxDepth}");
        switch (r.PeekState())
        {
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return r.ReadInt64();
            case CborReaderState.TextString: return r.ReadTextString();
            case CborReaderState.ByteString: return r.ReadByteString();
            case CborReaderState.Boolean: return r.ReadBoolean();
            case CborReaderState.Null: r.ReadNull(); return null;
            case CborReaderState.StartArray:
                r.ReadStartArray();
                var list = new List<object?>();
                while (r.PeekState() != CborReaderState.EndArray)
                    list.Add(ReadAny(r, depth + 1));
                r.ReadEndArray();
                return list;
            case CborReaderState.StartMap:
                r.ReadStartMap();
                var dict = new Dictionary<string, object?>();
                while (r.PeekState() != CborReaderState.EndMap)
                {
                    if (r.PeekState() != CborReaderState.TextString)
                        throw new ProfileFormatException("nested map has a non-text key");
                    dict[r.ReadTextString()] = ReadAny(r, depth + 1);
                }
                r.ReadEndMap();
                return dict;
            default:
                throw new ProfileFormatException($"unsupported CBOR item {r.PeekState()}");
        }
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public T Required<T>(string key)
    {
        if (!_values.TryGetValue(key, out var v))
            throw new ProfileFormatException($"missing required key \"{key}\"");
        return v is T t ? t : throw new ProfileFormatException($"key \"{key}\" has the wrong type");
    }

    public T? Optional<T>(string key) where T : class =>
        _values.TryGetValue(key, out var v) ? v as T ?? throw new ProfileFormatException($"key \"{key}\" has the wrong type") : null;

    public long NonNegative(string key)
    {
        var v = Required<long>(key);
        return v >= 0 ? v : throw new ProfileFormatException($"key \"{key}\" is negative");
    }

    public byte[] Bytes(string key, int? exactLength = null)
    {
        var b = Required<byte[]>(key);
        return exactLength is null || b.Length == exactLength
            ? b
            : throw new ProfileFormatException($"key \"{key}\" must be {exactLength} bytes, got {b.Length}");
    }

    public static CborWriter Writer() => CborDeterminism.NewWriter();
}

/// <summary>A profile message violates the structure PROFILE.md gives it.</summary>
public sealed class ProfileFormatException(string message) : Exception(message);
