using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.Harness.Client;

/// <summary>
/// A DP's test control endpoints (PROFILE.md §8, §11.2) under its advertised <c>test_control</c> base, typed. Every
/// call goes through the recorded DP client; whether the operator allows test control at all is the caller's
/// decision (--allow-test-control), not this client's.
/// </summary>
public sealed class TestControlClient(DpClient http, string basePath)
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public string BasePath => basePath;

    /// <summary>The path of one operation, e.g. <see cref="ProfilePaths.Control.Trust"/>.</summary>
    public string PathOf(string operation) => ProfilePaths.Control.Under(basePath, operation);

    /// <summary>Whether a test control call was carried out (204, or 200 from a DP that answers with a body).</summary>
    public static bool Succeeded(DpResponse response) => response.Status is 200 or 204;

    private Task<DpResponse> PostEmptyAsync(string path, CancellationToken ct) =>
        http.SendAsync(HttpMethod.Post, http.Resolve(path), EmptyObject, DpClient.JsonContentType, http.TestControlHeaders, ct);

    public Task<DpResponse> TrustAsync(TrustRequest request, CancellationToken ct = default) =>
        http.PostJsonAsync(PathOf(ProfilePaths.Control.Trust), request, WireJson.Default.TrustRequest, http.TestControlHeaders, ct);

    /// <summary>Trusts these csip, msp and dp keys (the one place a trust body is made: <see cref="TrustRequest.For"/>).</summary>
    public Task<DpResponse> TrustAsync(IEnumerable<TrustedKey> keys, CancellationToken ct = default) => TrustAsync(TrustRequest.For(keys), ct);

    public Task<DpResponse> ResetAsync(CancellationToken ct = default) =>
        PostEmptyAsync(PathOf(ProfilePaths.Control.Reset), ct);

    public Task<DpResponse> AdvanceClockAsync(long seconds, CancellationToken ct = default) =>
        http.PostJsonAsync(PathOf(ProfilePaths.Control.Clock), new ClockRequest(seconds), WireJson.Default.ClockRequest, http.TestControlHeaders, ct);

    public Task<DpResponse> PeersAsync(PeersRequest request, CancellationToken ct = default) =>
        http.PostJsonAsync(PathOf(ProfilePaths.Control.Peers), request, WireJson.Default.PeersRequest, http.TestControlHeaders, ct);

    /// <summary>Registers a fresh identified client (anti-enumeration class, §10.1); null with the answer when refused.</summary>
    public async Task<(string? Credential, DpResponse Response)> RegisterClientAsync(CancellationToken ct = default)
    {
        var response = await PostEmptyAsync(PathOf(ProfilePaths.Control.Clients), ct);
        var credential = response.Status is 200 or 201 && response.Json?["credential"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return (credential, response);
    }

    /// <summary>The optional bulk-seed extension (§8); null with the answer when refused or not understood.</summary>
    public async Task<(SeedResponse? Seeded, DpResponse Response)> SeedAsync(SeedRequest request, CancellationToken ct = default)
    {
        var response = await http.PostJsonAsync(PathOf(ProfilePaths.Control.Seed), request, WireJson.Default.SeedRequest, http.TestControlHeaders, ct);
        return (response.Status == 200 ? response.As(WireJson.Default.SeedResponse) : null, response);
    }
}
