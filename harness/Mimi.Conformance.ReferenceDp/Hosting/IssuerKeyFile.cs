using System.Security.Cryptography;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// The Privacy Pass issuer's RSA-2048 key (token type 0x0002), PKCS#8 PEM in dp-issuer.key: created once (mode 0600,
/// temp file then rename) and reused on every restart, so tokens issued before a restart still redeem after it.
/// </summary>
internal static class IssuerKeyFile
{
    public const string FileName = "dp-issuer.key";

    public static RSAParameters LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
            Create(path);
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new InvalidDataException($"{path} does not hold a PEM RSA private key; delete it to make a new issuer key.");
        }
        if (rsa.KeySize != 2048)
            throw new InvalidDataException($"{path} holds a {rsa.KeySize}-bit key; token type 0x0002 needs RSA-2048.");
        return rsa.ExportParameters(true);
    }

    private static void Create(string path)
    {
        using var rsa = RSA.Create(2048);
        SecretFile.CreateOnce(path, rsa.ExportPkcs8PrivateKeyPem());
    }
}
