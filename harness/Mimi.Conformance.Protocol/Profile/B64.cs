using System.Buffers.Text;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>base64url without padding (RFC 4648 §5), the profile's only binary-in-JSON encoding.</summary>
internal static class B64
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Contains('='))
            return false;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
