using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.Harness.Client;

/// <summary>
/// One DP's profile operations (PROFILE.md §6, §12.5), typed: the requests are the shared wire records, the paths
/// the ones its metadata advertises, and every call goes through the recorded, time-boxed, body-capped
/// <see cref="DpClient"/>. Answers stay <see cref="DpResponse"/>s: what the DP said is the test's subject.
/// Malformed requests go through <see cref="Http"/> (<see cref="DpClient.PostRawAsync"/>).
/// </summary>
public sealed class ProfileClient(DpClient http, DpMetadata metadata)
{
    public DpClient Http => http;

    public DpMetadata Metadata => metadata;

    /// <summary>Test control under the advertised base, or null when the DP offers none (PROFILE.md §8).</summary>
    public TestControlClient? TestControl { get; } = metadata.TestControlPath is { } path ? new TestControlClient(http, path) : null;

    /// <summary>Fetches the DP's metadata once and returns a client for it, or null with the reason.</summary>
    public static async Task<(ProfileClient? Client, DpResponse Response, string? Problem)> ConnectAsync(DpClient http, CancellationToken ct = default)
    {
        var (metadata, response, problem) = await DpMetadata.FetchAsync(http, ct);
        return (metadata is null ? null : new ProfileClient(http, metadata), response, problem);
    }

    /// <summary>§6.2 publish, with exact-match-only tag disclosures beside the mapping when given (§4.4).</summary>
    public Task<DpResponse> PublishAsync(byte[] mapping, IEnumerable<TagDisclosure>? disclosures = null, CancellationToken ct = default) =>
        http.PostJsonAsync(metadata.PublishPath, new PublishRequest(B64.Encode(mapping),
            disclosures is null ? null : [.. disclosures.Select(d => new DisclosureEntry(B64.Encode(d.Salt), d.Tag))]), WireJson.Default.PublishRequest, ct: ct);

    /// <summary>§6.5 import; only for a DP that advertises the endpoint (<see cref="DpMetadata.ImportPath"/>).</summary>
    public Task<DpResponse> ImportAsync(byte[] mapping, CancellationToken ct = default) =>
        http.PostJsonAsync(metadata.ImportPath ?? throw new InvalidOperationException($"{metadata.DpId} advertises no import endpoint"),
            new PublishRequest(B64.Encode(mapping)), WireJson.Default.PublishRequest, ct: ct);

    /// <summary>§6.4 remove.</summary>
    public Task<DpResponse> RemoveAsync(byte[] removal, CancellationToken ct = default) =>
        http.PostJsonAsync(metadata.RemovePath, new RemoveRequest(B64.Encode(removal)), WireJson.Default.RemoveRequest, ct: ct);

    /// <summary>§12.5 DP-to-DP invalidation, sent as the peer DP the harness plays.</summary>
    public Task<DpResponse> InvalidateAsync(byte[] invalidation, CancellationToken ct = default) =>
        http.PostJsonAsync(metadata.InvalidatePath, new InvalidateRequest(B64.Encode(invalidation)), WireJson.Default.InvalidateRequest, ct: ct);

    /// <summary>
    /// §11.3 DP-to-DP lookup, as a peer DP the harness plays: exactly these body bytes (the signature covers them), with
    /// this <c>Mimi-Peer-Auth</c> value (null: none), at the advertised <c>endpoints.peer_lookup</c> or the default path (§6).
    /// </summary>
    public Task<DpResponse> PeerLookupAsync(byte[] body, string? peerAuth, CancellationToken ct = default) =>
        http.SendAsync(HttpMethod.Post, http.Resolve(metadata.PeerLookupPath ?? ProfilePaths.PeerLookup),
            body, DpClient.JsonContentType, peerAuth is null ? [] : [new(PeerAuth.Header, peerAuth)], ct);

    /// <summary>
    /// §6.3 lookup. A DP of the anti-enumeration class answers a lookup without a token with a PrivateToken challenge
    /// (§10.4): with <paramref name="tokens"/> the challenge is answered with a token and the lookup sent once more.
    /// <paramref name="headers"/> go with every attempt (e.g. a cookie the DP must not pass on).
    /// </summary>
    public Task<DpResponse> LookupAsync(LookupRequest request, ITokenSource? tokens = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default) =>
        LookupRawAsync(HttpMethod.Post, JsonSerializer.SerializeToUtf8Bytes(request, WireJson.Default.LookupRequest), DpClient.JsonContentType, tokens, headers, ct: ct);

    /// <summary>
    /// Any bytes, content type and method at the lookup endpoint (malformed and hostile lookups), with
    /// <paramref name="query"/> appended to its URL: a PrivateToken challenge is answered as in <see cref="LookupAsync"/>,
    /// so that a DP checking the token before the body still sees the defect under test.
    /// </summary>
    public async Task<DpResponse> LookupRawAsync(HttpMethod method, byte[] body, string? contentType, ITokenSource? tokens, IReadOnlyList<KeyValuePair<string, string>>? headers = null, string query = "", CancellationToken ct = default)
    {
        var url = new Uri(http.Resolve(metadata.LookupPath) + query);
        var response = await http.SendAsync(method, url, body, contentType, headers ?? [], ct);
        if (tokens is not null && response.Status == 401 && ParsedChallenge.From(response, out _) is { } challenge)
            response = await http.SendAsync(method, url, body, contentType, [new("Authorization", PrivacyPassClient.Authorization(await tokens.TokenAsync(challenge, ct))), .. headers ?? []], ct);
        return response;
    }

    /// <summary>One lookup attempt with this <c>Authorization</c> value (a token, a bearer credential, or none).</summary>
    public Task<DpResponse> LookupWithAsync(LookupRequest request, string? authorization, IReadOnlyList<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default) =>
        LookupWithAsync(http, request, authorization, headers, ct);

    /// <summary>Like the other overload through another client of the same DP (e.g. one that records nothing).</summary>
    public Task<DpResponse> LookupWithAsync(DpClient client, LookupRequest request, string? authorization, IReadOnlyList<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default)
    {
        IReadOnlyList<KeyValuePair<string, string>> all = [.. authorization is null ? [] : new KeyValuePair<string, string>[] { new("Authorization", authorization) }, .. headers ?? []];
        return client.PostJsonAsync(metadata.LookupPath, request, WireJson.Default.LookupRequest, all, ct);
    }

    /// <summary>A plain e164 or email lookup request.</summary>
    public static LookupRequest Lookup(string csi, string csiType = ProfileConstants.CsiTypes.E164) => new(csi, csiType);
}
