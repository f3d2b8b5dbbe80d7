using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mimi.Conformance.Protocol.Files;
using Mimi.Conformance.Protocol.Tls;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// The reference DP's server certificate (<see cref="SelfSignedCertificate"/>), made at each start. Clients pin its
/// SHA-256 or trust the PEM written next to the data; the private key never touches disk.
/// </summary>
public static class DpCertificate
{
    public const string FileName = "dp-cert.pem";

    /// <summary>Valid for 30 days; a non-loopback, non-wildcard bind address joins the SAN.</summary>
    public static X509Certificate2 Create(TimeProvider time, IPAddress? bindAddress) =>
        SelfSignedCertificate.Create(time, TimeSpan.FromDays(30),
            bindAddress is not null && !IPAddress.IsLoopback(bindAddress) && !bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.IPv6Any) ? [bindAddress] : []);

    /// <summary>Writes the public certificate as PEM (atomically: readers never see half a file).</summary>
    public static string WritePem(X509Certificate2 certificate, string dataDirectory)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        AtomicFile.Write(path, s => s.Write(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n")));
        return path;
    }

    public static string PinSha256Hex(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).ToLowerInvariant();
}
