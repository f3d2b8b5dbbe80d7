using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Transport;

/// <summary>
/// PROFILE.md §1: what a DP takes as a request, at each endpoint a client or MSP calls: publish, lookup, remove, and
/// import where the DP advertises it. Each probe starts from a fresh request the DP must accept and changes one thing.
/// </summary>
public sealed class RequestFormatTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    /// <summary>One endpoint, a fresh request it must accept as it stands, and the member that carries CBOR (null: none).</summary>
    private sealed record Probe(string Endpoint, string Path, JsonObject Body, string? BinaryMember)
    {
        public bool IsLookup => Endpoint == "lookup";
    }

    private async Task<IReadOnlyList<Probe>> ProbesAsync()
    {
        dp.RequirePublishing();
        var parties = _ops.Parties;
        var (fresh, _) = _ops.Mapping(parties.NewE164(), parties.NewRecipientKey(), ["default"]).Build();
        var held = await PublishedAsync();
        var recipient = parties.NewRecipientKey();
        var removable = await _ops.PublishValidAsync(_ops.Mapping(parties.NewE164(), recipient, ["default"]));
        var removal = _ops.Removal(recipient, SignerRoles.Recipient, removable.Payload.Csi, removable.Id);
        List<Probe> probes =
        [
            new("publish", dp.Meta.PublishPath, new JsonObject { ["mapping"] = B64.Encode(fresh) }, "mapping"),
            new("lookup", dp.Meta.LookupPath, new JsonObject { ["csi"] = held.Payload.Csi, ["csi_type"] = CsiTypes.E164 }, null),
            new("remove", dp.Meta.RemovePath, new JsonObject { ["removal"] = B64.Encode(removal) }, "removal"),
        ];
        if (dp.Meta.ImportPath is { } import && dp.Meta.ConformanceClasses.Contains("joint-signature"))
        {
            var (signed, _) = MappingBuilder.For(parties, parties.PeerDp.Id, parties.NewE164(), parties.NewRecipientKey(), ["default"]).Build();
            var computed = CoseSign.Decode(signed).AddSignature(parties.PeerDp.Key, SignerRoles.Dp).Encode();
            probes.Add(new("import", import, new JsonObject { ["mapping"] = B64.Encode(computed) }, "mapping"));
        }
        return probes;
    }

    private Task<PublishedMapping> PublishedAsync() =>
        _ops.PublishValidAsync(_ops.Mapping(_ops.Parties.NewE164(), _ops.Parties.NewRecipientKey(), ["default"]));

    private Task<DpResponse> SendAsync(Probe probe, byte[] body, string? contentType, params KeyValuePair<string, string>[] headers) =>
        probe.IsLookup
            ? dp.Profile.LookupRawAsync(HttpMethod.Post, body, contentType, _ops.Tokens, headers)
            : dp.Client.SendAsync(HttpMethod.Post, dp.Client.Resolve(probe.Path), body, contentType, headers);

    private static byte[] Utf8(JsonObject body) => Encoding.UTF8.GetBytes(body.ToJsonString());

    public static TheoryData<string, string?, string?> MediaTypes => new()
    {
        { "text/plain", "text/plain", null },
        { "no Content-Type", null, null },
        { "charset iso-8859-1", "application/json; charset=iso-8859-1", null },
        { "Content-Encoding gzip", DpClient.JsonContentType, "gzip" },
    };

    [Theory, Requirement("PROF-ERR-01")]
    [Requirement("PROF-TR-04")]
    [MemberData(nameof(MediaTypes))]
    public async Task A_body_that_is_not_plain_application_json_gets_415_at_every_endpoint(string label, string? contentType, string? contentEncoding)
    {
        foreach (var probe in await ProbesAsync())
        {
            KeyValuePair<string, string>[] headers = contentEncoding is null ? [] : [new("Content-Encoding", contentEncoding)];
            var response = await SendAsync(probe, Utf8(probe.Body), contentType, headers);
            Expect.Refused(response, $"{probe.Endpoint}: {label}", 415, Problems.UnsupportedMediaType);
        }
    }

    public static TheoryData<string> Base64Defects => new() { "padding", "standard alphabet", "whitespace" };

    [Theory, Requirement("PROF-ERR-01")]
    [Requirement("PROF-TR-05")]
    [MemberData(nameof(Base64Defects))]
    public async Task A_binary_member_that_is_not_unpadded_base64url_gets_400_malformed_request(string defect)
    {
        var tried = 0;
        foreach (var probe in (await ProbesAsync()).Where(p => p.BinaryMember is not null))
        {
            var value = probe.Body[probe.BinaryMember!]!.GetValue<string>();
            var changed = defect switch
            {
                "padding" => value.Length % 4 == 0 ? null : value + new string('=', 4 - value.Length % 4),
                "standard alphabet" => value.Contains('-') || value.Contains('_') ? value.Replace('-', '+').Replace('_', '/') : null,
                _ => value[..(value.Length / 2)] + "\n " + value[(value.Length / 2)..],
            };
            if (changed is null)
                continue;
            tried++;
            var body = probe.Body.DeepClone().AsObject();
            body[probe.BinaryMember!] = changed;
            var response = await SendAsync(probe, Utf8(body), DpClient.JsonContentType);
            Expect.Refused(response, $"{probe.Endpoint}: {probe.BinaryMember} with {defect}", 400, Problems.MalformedRequest);
        }
        if (tried == 0)
            Expect.NotVerifiable($"no binary member of this run's requests could carry {defect} (their base64url has no '-', '_' or padding); run again with another --seed");
    }

    [Fact, Requirement("DISC-R-07")]
    [Requirement("PROF-TR-06")]
    public async Task A_lookup_by_GET_serves_no_mapping()
    {
        // Without publishing (no test control) the CSI holds nothing, and only the status can show a lookup served.
        var csi = dp.PublishBlocker is null ? (await PublishedAsync()).Payload.Csi : _ops.Parties.NewE164();
        var lookup = new JsonObject { ["csi"] = csi, ["csi_type"] = CsiTypes.E164 };
        var query = $"?csi={Uri.EscapeDataString(csi)}&csi_type={CsiTypes.E164}";
        // The lookup goes both in the URL and as a body, so a DP that serves GET either way is caught.
        var response = await dp.Profile.LookupRawAsync(HttpMethod.Get, Utf8(lookup), DpClient.JsonContentType, _ops.Tokens, query: query);
        var leaked = response.Body.Length > 0 && Encoding.UTF8.GetString(response.Body).Contains("\"mappings\"", StringComparison.Ordinal);
        Expect.That(response.Status is not (>= 200 and < 300) && !leaked, "GET lookup", "no 2xx and no mappings for a lookup by GET (405 method-not-allowed)",
            response.Describe() + Expect.ProblemType(response));
    }

    [Fact, Requirement("PROF-ERR-01")]
    [Requirement("PROF-TR-07")]
    public async Task A_body_over_max_body_bytes_gets_413_and_one_at_the_bound_is_served()
    {
        var max = dp.Meta.Limit("max_body_bytes");
        Expect.That(max >= 65_536, "max_body_bytes", "metadata limits.max_body_bytes of at least 65,536", max?.ToString() ?? "(absent)");
        if (max > MaxBodySent)
            Expect.NotVerifiable($"limits.max_body_bytes is {max}: the harness sends bodies of at most {MaxBodySent} bytes");
        foreach (var probe in await ProbesAsync())
        {
            var over = Padded(probe.Body, max!.Value + 1);
            Expect.Refused(await SendAsync(probe, over, DpClient.JsonContentType), $"{probe.Endpoint}: {over.Length} bytes with Content-Length", 413, Problems.PayloadTooLarge);
            Expect.Refused(await SendAsync(probe, over, DpClient.JsonContentType, new KeyValuePair<string, string>("Transfer-Encoding", "chunked")),
                $"{probe.Endpoint}: {over.Length} bytes chunked", 413, Problems.PayloadTooLarge);
        }
        // The bound is the declared one, not lower: a lookup of exactly max_body_bytes is answered.
        var lookup = (await ProbesAsync()).Single(p => p.IsLookup);
        var response = await SendAsync(lookup, Padded(lookup.Body, max!.Value), DpClient.JsonContentType);
        Expect.That(response.Status == 200, "lookup at the bound", $"HTTP 200 for a lookup of exactly {max} bytes", response.Describe() + Expect.ProblemType(response));
    }

    private const int MaxBodySent = 16 * 1024 * 1024;

    /// <summary>The request, padded with JSON whitespace to exactly <paramref name="size"/> bytes: the same JSON value.</summary>
    private static byte[] Padded(JsonObject body, int size)
    {
        var json = Utf8(body);
        var padded = new byte[Math.Max(size, json.Length)];
        json.AsSpan(0, json.Length - 1).CopyTo(padded);
        padded.AsSpan(json.Length - 1, padded.Length - json.Length).Fill((byte)' ');
        padded[^1] = (byte)'}';
        return padded;
    }

    [Fact, Requirement("PROF-ERR-01")]
    [Requirement("PROF-TR-08")]
    public async Task Members_the_profile_does_not_define_are_ignored_at_every_endpoint()
    {
        foreach (var probe in await ProbesAsync())
        {
            var body = probe.Body.DeepClone().AsObject();
            body["x_future_member"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null) };
            var response = await SendAsync(probe, Utf8(body), DpClient.JsonContentType);
            Expect.That(response.Status is 200 or 201, $"{probe.Endpoint} with an unknown member", "the answer the request gets without it (200/201)", response.Describe() + Expect.ProblemType(response));
        }
    }

    public static TheoryData<string> MemberDefects => new() { "duplicate", "missing", "null", "wrong type" };

    [Theory, Requirement("PROF-ERR-01")]
    [Requirement("PROF-TR-09")]
    [MemberData(nameof(MemberDefects))]
    public async Task A_duplicate_missing_null_or_mistyped_member_gets_400_malformed_request(string defect)
    {
        foreach (var probe in await ProbesAsync())
        {
            var member = probe.BinaryMember ?? "csi";
            var value = probe.Body[member]!.GetValue<string>();
            var others = string.Concat(probe.Body.Where(m => m.Key != member).Select(m => $",{JsonValue.Create(m.Key).ToJsonString()}:{m.Value!.ToJsonString()}"));
            var quoted = JsonValue.Create(value).ToJsonString();
            var json = defect switch
            {
                // The same value twice: a DP that keeps the first or the last would take it.
                "duplicate" => $"{{\"{member}\":{quoted},\"{member}\":{quoted}{others}}}",
                "missing" => "{" + others.TrimStart(',') + "}",
                "null" => $"{{\"{member}\":null{others}}}",
                _ => $"{{\"{member}\":[{quoted}]{others}}}",
            };
            var response = await SendAsync(probe, Encoding.UTF8.GetBytes(json), DpClient.JsonContentType);
            Expect.Refused(response, $"{probe.Endpoint}: {defect} \"{member}\"", 400, Problems.MalformedRequest);
        }
    }
}
