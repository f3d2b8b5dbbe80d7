using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>One exact-match-only tag's disclosure (PROFILE.md §4.4): the salt and the tag its digest commits to.</summary>
public sealed record TagDisclosure(byte[] Salt, string Tag)
{
    public byte[] Digest => TagRules.Digest(Salt, Tag);
}

/// <summary>
/// The tag model of PROFILE.md §4.4: registered tokens, RFC 4151 <c>tag:</c> URIs, the default rule, and the salted-hash
/// commitments to exact-match-only tags with their fixed-size disclosure block.
/// </summary>
public static partial class TagRules
{
    public const string Default = "default";
    public const int SaltSize = 16;
    public const int DigestSize = 32;

    /// <summary>The registry of PROFILE.md §4.4 (registered tokens, lower case).</summary>
    public static IReadOnlyList<string> Registered { get; } = [Default, "business", "personal", "family", "friends", "work"];

    /// <summary>A registered token or a user-defined RFC 4151 tag URI; anything else is malformed.</summary>
    public static bool IsWellFormed(string tag) => Registered.Contains(tag) || TagUri().IsMatch(tag);

    /// <summary>SHA-256(salt || UTF-8(tag)).</summary>
    public static byte[] Digest(byte[] salt, string tag) => SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(tag)]);

    /// <summary>
    /// The disclosure block of a lookup entry: the deterministic CBOR array <c>[* [salt, tag]]</c> followed by zero
    /// bytes up to exactly <paramref name="size"/> bytes. An entry with nothing disclosed carries <c>0x80</c> and zeros.
    /// </summary>
    public static byte[] EncodeBlock(IReadOnlyList<TagDisclosure> disclosures, int size)
    {
        var encoded = EncodeList(disclosures);
        if (encoded.Length > size)
            throw new ArgumentException($"the disclosures need {encoded.Length} bytes; the block holds {size}", nameof(disclosures));
        var block = new byte[size];
        encoded.CopyTo(block, 0);
        return block;
    }

    public static byte[] EncodeList(IReadOnlyList<TagDisclosure> disclosures)
    {
        var w = CborMap.Writer();
        w.WriteStartArray(disclosures.Count);
        foreach (var d in disclosures)
        {
            w.WriteStartArray(2);
            w.WriteByteString(d.Salt);
            w.WriteTextString(d.Tag);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Reads a disclosure block: one CBOR array of [salt, tag] pairs, then only zero bytes.</summary>
    public static IReadOnlyList<TagDisclosure> DecodeBlock(byte[] block)
    {
        try
        {
            var r = new CborReader(block, CborConformanceMode.Lax, allowMultipleRootLevelValues: true);
            var n = r.ReadStartArray() ?? throw new ProfileFormatException("indefinite-length disclosure array");
            var list = new List<TagDisclosure>(n);
            for (var i = 0; i < n; i++)
            {
                if (r.ReadStartArray() != 2)
                    throw new ProfileFormatException("a disclosure is not [salt, tag]");
                var salt = r.ReadByteString();
                var tag = r.ReadTextString();
                r.ReadEndArray();
                if (salt.Length != SaltSize)
                    throw new ProfileFormatException($"a disclosure salt is {salt.Length} bytes, not {SaltSize}");
                list.Add(new TagDisclosure(salt, tag));
            }
            r.ReadEndArray();
            var rest = block.AsSpan(block.Length - r.BytesRemaining);
            if (rest.ContainsAnyExcept((byte)0))
                throw new ProfileFormatException("the disclosure block's padding is not all zero bytes");
            return list;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw new ProfileFormatException($"the disclosure block is not [* [salt, tag]] plus zero padding: {e.Message}");
        }
    }

    // RFC 4151: "tag:" authorityName "," date ":" specific [ "#" fragment ]; specific and fragment are RFC 3986 pchar / "/" / "?".
    [GeneratedRegex(@"^tag:(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*,[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?:(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-F]{2})*(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-F]{2})*)?$")]
    private static partial Regex TagUri();
}
