using System.Formats.Cbor;

namespace Mimi.Conformance.Protocol.Cbor;

/// <summary>Deterministic encoding (RFC 8949 §4.2.1) checks and helpers.</summary>
internal static class CborDeterminism
{
    /// <summary>
    /// True when <paramref name="encoded"/> is one well-formed item, with no trailing bytes, encoded deterministically:
    /// shortest integers and lengths, definite lengths, sorted unique map keys. Canonical mode in System.Formats.Cbor
    /// enforces exactly these for the types the profile uses (no floats, no tags inside payloads).
    /// </summary>
    public static bool IsDeterministic(ReadOnlySpan<byte> encoded, out string? problem)
    {
        try
        {
            var reader = new CborReader(encoded.ToArray(), CborConformanceMode.Canonical);
            reader.SkipValue();
            if (reader.BytesRemaining != 0)
            {
                problem = $"{reader.BytesRemaining} trailing byte(s) after the CBOR item";
                return false;
            }
            problem = null;
            return true;
        }
        catch (CborContentException e)
        {
            problem = e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            problem = e.Message;
            return false;
        }
    }

    public static CborWriter NewWriter() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
}
