using System.Buffers.Text;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>base64url without padding (RFC 4648 §5), the profile's only binary-in-JSON encoding.</summary>
public static class B64
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    private static readonly System.Buffers.SearchValues<char> NotBase64Url = System.Buffers.SearchValues.Create("= \t\r\n+/");

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        // The decoder skips whitespace; the profile's form has none, nor padding (PROFILE.md §1).
        if (text is null || text.AsSpan().IndexOfAny(NotBase64Url) >= 0)
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
