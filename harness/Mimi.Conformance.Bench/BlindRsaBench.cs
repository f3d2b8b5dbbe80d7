using System.Diagnostics;
using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.ReferenceDp.AntiEnumeration;

namespace Mimi.Conformance.Bench;

/// <summary>
/// Figure 5: blind-RSA (RFC 9474) tokens per second, one token = client blind + issuer BlindSign (the reference DP's
/// path) + client finalize + origin verify. Baseline: the BCL's RSA-PSS/SHA-384 sign + verify on the same key, the
/// least any implementation pays for one private and one public operation. Recorded, no target (the issue sets none).
/// </summary>
internal static class BlindRsaBench
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    public static BenchFigure Run()
    {
        using var rsa = RSA.Create(2048);
        var privateKey = rsa.ExportParameters(includePrivateParameters: true);
        var publicKey = rsa.ExportParameters(includePrivateParameters: false);
        var issuer = new PrivacyPassIssuer(privateKey, "bench.conformance.test", 86_400);
        var message = new byte[32];

        var tokens = Rate(() =>
        {
            RandomNumberGenerator.Fill(message);
            var blinded = BlindRsa.Blind(publicKey, message, RandomNumberGenerator.GetBytes);
            var signature = BlindRsa.Finalize(publicKey, message, issuer.BlindSign(blinded.BlindedMessage), blinded.Inverse);
            return signature is not null && BlindRsa.Verify(publicKey, message, signature);
        });
        var baseline = Rate(() =>
        {
            RandomNumberGenerator.Fill(message);
            var signature = rsa.SignData(message, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
            return rsa.VerifyData(message, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        });
        return new BenchFigure("blind_rsa_tokens", "Blind-RSA token issuances + redemptions", tokens, "tokens/s",
            baseline, "BCL RSA-PSS SHA-384 sign + verify/s on the same 2048-bit key (1 thread)", TargetKind.None, null,
            "tokens/s where one token = Blind + issuer BlindSign + Finalize + Verify (RFC 9474), for 2 s on one thread");
    }

    /// <summary>Operations per second over a fixed, bounded duration; a failed operation aborts the figure.</summary>
    private static double Rate(Func<bool> operation)
    {
        var count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Duration && count < 100_000)
        {
            if (!operation())
                throw new CryptographicException("a blind-RSA round trip failed verification during the benchmark");
            count++;
        }
        return count / clock.Elapsed.TotalSeconds;
    }
}
