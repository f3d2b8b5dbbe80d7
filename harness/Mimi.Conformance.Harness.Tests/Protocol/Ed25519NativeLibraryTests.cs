using FluentAssertions;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// Ed25519 runs on the libsodium that NSec's NuGet dependency ships next to the assemblies, never on a system copy
/// (run.sh installs none): after a signature and a verification, every libsodium mapped into this process is the bundled one.
/// </summary>
public sealed class Ed25519NativeLibraryTests
{
    [Fact]
    public void Only_the_bundled_libsodium_is_loaded()
    {
        var key = SigningKey.FromLabel("mimi-tests/native-library");
        Ed25519.Verify(key.PublicKey, [1, 2, 3], key.Sign([1, 2, 3])).Should().BeTrue();

        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libsodium", StringComparison.Ordinal))
            .Select(f => f[5]).Distinct().ToList();
        mapped.Should().ContainSingle("exactly one libsodium is mapped")
            .Which.Should().StartWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), "NSec's runtimes/<rid>/native/libsodium.so");
    }
}
