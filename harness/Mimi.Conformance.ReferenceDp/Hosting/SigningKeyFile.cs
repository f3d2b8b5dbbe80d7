using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// The DP's Ed25519 seed, hex in dp-signing.key: created once (mode 0600, written to a temp file and renamed so
/// a crash never leaves half a key) and reused on every restart, so mappings countersigned before a restart still
/// verify against the metadata after it.
/// </summary>
internal static class SigningKeyFile
{
    public const string FileName = "dp-signing.key";

    public static SigningKey LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
            Create(path);
        var text = File.ReadAllText(path).Trim();
        byte[] seed;
        try
        {
            seed = Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path} does not hold a hex Ed25519 seed; delete it to make a new DP key.");
        }
        if (seed.Length != Ed25519.SeedSize)
            throw new InvalidDataException($"{path} holds {seed.Length} bytes; an Ed25519 seed is {Ed25519.SeedSize}.");
        return SigningKey.FromSeed(seed);
    }

    private static void Create(string path) =>
        SecretFile.CreateOnce(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(Ed25519.SeedSize)).ToLowerInvariant() + "\n");
}
