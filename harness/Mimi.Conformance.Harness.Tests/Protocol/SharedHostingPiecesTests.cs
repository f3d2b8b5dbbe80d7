using System.Net;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using Mimi.Conformance.Protocol.Files;
using Mimi.Conformance.Protocol.Tls;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>The loopback certificate and the atomic file write that the reference DP, the fake peers and the reports share.</summary>
public sealed class SharedHostingPiecesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mimi-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void The_certificate_names_loopback_and_extra_addresses_for_server_authentication_only()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        using var certificate = SelfSignedCertificate.Create(new FixedTime(now), TimeSpan.FromDays(30), IPAddress.Parse("192.0.2.7"));

        certificate.Subject.Should().Be("CN=localhost");
        certificate.NotBefore.ToUniversalTime().Should().Be(now.AddMinutes(-5).UtcDateTime);
        certificate.NotAfter.ToUniversalTime().Should().Be(now.AddDays(30).UtcDateTime);
        certificate.HasPrivateKey.Should().BeTrue();
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        san.EnumerateIPAddresses().Select(a => a.ToString()).Should().BeEquivalentTo("127.0.0.1", "::1", "192.0.2.7");
        san.EnumerateDnsNames().Should().Equal("localhost");
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority.Should().BeFalse();
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()
            .Select(o => o.Value).Should().Equal("1.3.6.1.5.5.7.3.1");
    }

    [Fact]
    public void A_write_replaces_the_file_whole_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "sub", "report.json");
        AtomicFile.WriteText(path, "first").Should().BeTrue();
        AtomicFile.WriteText(path, "second").Should().BeTrue();

        File.ReadAllText(path).Should().Be("second");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().Equal(path);
        File.ReadAllBytes(path).Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF }, "no byte-order mark");
    }

    [Fact]
    public void Create_only_keeps_an_existing_file_and_says_so()
    {
        var path = Path.Combine(_dir, "key.pem");
        AtomicFile.WriteText(path, "ours", createOnly: true, ownerOnly: true).Should().BeTrue();
        AtomicFile.WriteText(path, "theirs", createOnly: true, ownerOnly: true).Should().BeFalse();

        File.ReadAllText(path).Should().Be("ours");
        Directory.GetFiles(_dir).Should().Equal(path);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_failing_writer_leaves_the_previous_file_and_no_temporary_file()
    {
        var path = Path.Combine(_dir, "matrix.json");
        AtomicFile.WriteText(path, "good");

        var act = () => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte((byte)'x');
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>();
        File.ReadAllText(path).Should().Be("good");
        Directory.GetFiles(_dir).Should().Equal(path);
    }
}
