using System.Text.Json.Serialization;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>One key of a test control <c>/trust</c> call (PROFILE.md §8).</summary>
public sealed record TrustKeyEntry(
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("x")] string X);

/// <summary>Test control <c>/trust</c> (PROFILE.md §8): keys to trust in addition to the configured ones.</summary>
public sealed record TrustRequest(
    [property: JsonPropertyName("csip_keys")] IReadOnlyList<TrustKeyEntry>? CsipKeys = null,
    [property: JsonPropertyName("msp_keys")] IReadOnlyList<TrustKeyEntry>? MspKeys = null,
    [property: JsonPropertyName("dp_keys")] IReadOnlyList<TrustKeyEntry>? DpKeys = null)
{
    /// <summary>
    /// The one way any caller builds a trust body: the keys grouped by role (csip, msp, dp); a role without keys is
    /// left out. Recipient keys are never trusted this way (they are bound by the CSIP's credential, §4.2).
    /// </summary>
    public static TrustRequest For(IEnumerable<TrustedKey> keys)
    {
        var all = keys.ToArray();
        var unknown = all.FirstOrDefault(k => k.Role is not (SignerRoles.Csip or SignerRoles.Msp or SignerRoles.Dp));
        if (unknown is not null)
            throw new ArgumentException($"test control /trust takes csip, msp and dp keys, not {unknown.Role} ({unknown.Owner})", nameof(keys));
        IReadOnlyList<TrustKeyEntry>? Of(string role) =>
            all.Where(k => k.Role == role).Select(k => new TrustKeyEntry(k.Owner, B64.Encode(k.PublicKey))).ToArray() is { Length: > 0 } entries ? entries : null;
        return new TrustRequest(Of(SignerRoles.Csip), Of(SignerRoles.Msp), Of(SignerRoles.Dp));
    }
}

/// <summary>Test control <c>/clock</c> (PROFILE.md §8): move the DP's clock forward.</summary>
public sealed record ClockRequest([property: JsonPropertyName("advance_s")] long AdvanceS);

/// <summary>Test control <c>/seed</c> (PROFILE.md §8, optional): bulk synthetic mappings for benchmarks.</summary>
public sealed record SeedRequest(
    [property: JsonPropertyName("csi_prefix")] string CsiPrefix,
    [property: JsonPropertyName("count")] int Count);

public sealed record SeedResponse(
    [property: JsonPropertyName("inserted")] int Inserted,
    [property: JsonPropertyName("first_csi")] string FirstCsi,
    [property: JsonPropertyName("last_csi")] string LastCsi,
    [property: JsonPropertyName("db_bytes")] long DbBytes,
    [property: JsonPropertyName("elapsed_ms")] double ElapsedMs);

/// <summary>Test control <c>/peers</c> (PROFILE.md §11.2).</summary>
public sealed record PeersRequest(
    [property: JsonPropertyName("registry_url")] string RegistryUrl,
    [property: JsonPropertyName("tls_pins")] IReadOnlyList<string> TlsPins,
    [property: JsonPropertyName("preferred")] IReadOnlyList<string>? Preferred = null);
