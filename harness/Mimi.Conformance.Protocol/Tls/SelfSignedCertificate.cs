using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mimi.Conformance.Protocol.Tls;

/// <summary>
/// The loopback server certificate of every HTTPS endpoint the project starts itself (the reference DP, the fake
/// peer DPs): ECDSA P-256, CN=localhost, SAN 127.0.0.1, ::1 and localhost, server authentication only, made fresh
/// at each start. Clients pin its SHA-256 or trust its PEM; the private key stays in memory.
/// </summary>
public static class SelfSignedCertificate
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <param name="validity">From now; the certificate is valid from five minutes ago, for clocks a little behind.</param>
    /// <param name="extraAddresses">More IP addresses for the SAN, e.g. a non-loopback bind address.</param>
    public static X509Certificate2 Create(TimeProvider time, TimeSpan validity, params IPAddress[] extraAddresses)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var address in extraAddresses)
            san.AddIpAddress(address);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication)], false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
    }
}
