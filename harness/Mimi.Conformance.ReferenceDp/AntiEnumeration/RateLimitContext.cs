using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.ReferenceDp.AntiEnumeration;

/// <summary>
/// The rate-limit context <c>rl</c> a forward carries (PROFILE.md §11.6, DISC-L-11A): for an identified client the
/// first 16 bytes of HMAC-SHA-256(secret, "mimi-dp-rl" || credential || 0x00 || peer dp_id || W as a big-endian u64),
/// W = floor(now / identified.window_s) on the DP's clock, so a peer can count one client's forwards in a window but
/// cannot invert it or link it across peers or windows; for a token lookup 16 fresh random bytes. The secret is the
/// DP's own, in its data directory.
/// </summary>
internal sealed class RateLimitContext(byte[] secret, long windowSeconds, TimeProvider clock, LivePolicy policy)
{
    public const string FileName = "dp-rl.key";
    public const int Size = 16;

    /// <summary>Where the admission gate leaves an identified client's credential for the forwards of its lookup.</summary>
    public const string IdentifiedClientItem = "mimi.identified-client";

    public static readonly Duty KeepClientDataOut = new("anti-enumeration.keep-client-data-out-of-rl");
    public static readonly Duty KeyPerPeerAndWindow = new("anti-enumeration.key-rl-per-peer-and-window");
    public static readonly Duty FreshForTokens = new("anti-enumeration.fresh-rl-for-tokens");

    private static readonly byte[] Label = "mimi-dp-rl"u8.ToArray();

    public static RateLimitContext LoadOrCreate(string dataDirectory, long windowSeconds, TimeProvider clock, LivePolicy policy)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
            SecretFile.CreateOnce(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant() + "\n");
        byte[] secret;
        try
        {
            secret = Convert.FromHexString(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path} does not hold a hex key; delete it to make a new one.");
        }
        return secret.Length == 32 ? new RateLimitContext(secret, windowSeconds, clock, policy)
            : throw new InvalidDataException($"{path} holds {secret.Length} bytes, not 32; delete it to make a new one.");
    }

    /// <summary>The <c>rl</c> of one forward to <paramref name="peerDpId"/> of the lookup <paramref name="sender"/> made.</summary>
    public byte[] For(HttpContext sender, string peerDpId)
    {
        if (sender.Items[IdentifiedClientItem] is string credential)
        {
            if (!policy.Performs(KeepClientDataOut))
                return Prefix(B64.TryDecode(credential, out var raw) ? raw : Encoding.UTF8.GetBytes(credential));
            if (!policy.Performs(KeyPerPeerAndWindow))
                return SHA256.HashData(Encoding.UTF8.GetBytes(credential))[..Size];
            return Keyed(Encoding.UTF8.GetBytes(credential), peerDpId);
        }
        var authorization = sender.Request.Headers.Authorization.ToString();
        if (authorization.Length > 0 && !policy.Performs(KeepClientDataOut))
            return Prefix(Encoding.UTF8.GetBytes(authorization[(authorization.IndexOf('=') + 1)..].Trim('"')));
        if (!policy.Performs(FreshForTokens))
            return Keyed("anonymous"u8.ToArray(), peerDpId);
        return RandomNumberGenerator.GetBytes(Size);
    }

    private byte[] Keyed(byte[] client, string peerDpId)
    {
        var window = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(window, (ulong)(clock.GetUtcNow().ToUnixTimeSeconds() / windowSeconds));
        byte[] message = [.. Label, .. client, 0x00, .. Encoding.UTF8.GetBytes(peerDpId), .. window];
        return HMACSHA256.HashData(secret, message)[..Size];
    }

    private static byte[] Prefix(byte[] bytes) => bytes.Length >= Size ? bytes[..Size] : [.. bytes, .. new byte[Size - bytes.Length]];
}
