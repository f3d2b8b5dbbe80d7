using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// A self-signed ECDSA P-256 server certificate made at each start. Clients pin its SHA-256 or
/// trust the PEM written next to the data; the private key never touches disk.
/// </summary>
public static class DpCertificate
{
    public const string FileName = "dp-cert.pem";

    public static X509Certificate2 Create(TimeProvider time, IPAddress? bindAddress)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        if (bindAddress is not null && !IPAddress.IsLoopback(bindAddress) && !bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.IPv6Any))
            san.AddIpAddress(bindAddress);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
    }

    /// <summary>Writes the public certificate as PEM (atomically: readers never see half a file).</summary>
    public static string WritePem(X509Certificate2 certificate, string dataDirectory)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, certificate.ExportCertificatePem() + "\n");
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public static string PinSha256Hex(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).ToLowerInvariant();
}
