namespace Mimi.Conformance.Cli.Bench;

/// <summary>
/// Figure 5: blind-RSA (RFC 9474) token issuances plus redemptions per second. The Privacy Pass code is not on
/// this branch; when it lands, replace the body with: time N issuances (blind, sign, finalize) and N
/// redemptions (verify) for a fixed duration, and compare with raw BCL RSA-PSS verify/s on the same key
/// (RatioAtLeast, like the Ed25519 figures in CryptoBench).
/// </summary>
internal static class BlindRsaBench
{
    public static BenchFigure Run() =>
        BenchFigure.Missing("blind_rsa_tokens", "Blind-RSA token issuances + redemptions", "tokens/s", "not measured: blind RSA not present");
}
