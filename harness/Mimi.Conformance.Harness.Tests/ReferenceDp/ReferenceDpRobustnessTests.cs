using System.Net;
using System.Text;
using FluentAssertions;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Harness.Tests.ReferenceDp.DpTestHost;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>Hostile and broken input: always a profile problem with a 4xx, never a 5xx, never a hang.</summary>
public sealed class ReferenceDpRobustnessTests(SharedReferenceDp shared) : IClassFixture<SharedReferenceDp>
{
    private const string Json = "application/json";

    private DpTestHost Dp => shared.Host;

    private static string Deep(int depth) => "{\"csi\":" + new string('[', depth) + new string(']', depth) + ",\"csi_type\":\"e164\"}";

    private static string Mapping(byte[] bytes) => $$"""{"mapping":"{{B64.Encode(bytes)}}"}""";

    public static TheoryData<string, string, string?, string, int, string> BadRequests => new()
    {
        { "no content type", "/v1/lookup", null, """{"csi":"+12125550100","csi_type":"e164"}""", 415, Problems.UnsupportedMediaType },
        { "text/plain", "/v1/lookup", "text/plain", """{"csi":"+12125550100","csi_type":"e164"}""", 415, Problems.UnsupportedMediaType },
        { "json with latin1 charset", "/v1/lookup", "application/json; charset=iso-8859-1", """{"csi":"+12125550100","csi_type":"e164"}""", 415, Problems.UnsupportedMediaType },
        { "truncated json", "/v1/lookup", Json, """{"csi":"+1212""", 400, Problems.MalformedRequest },
        { "empty body", "/v1/lookup", Json, "", 400, Problems.MalformedRequest },
        { "json null", "/v1/lookup", Json, "null", 400, Problems.MalformedRequest },
        { "array instead of object", "/v1/lookup", Json, "[]", 400, Problems.MalformedRequest },
        { "number for csi", "/v1/lookup", Json, """{"csi":12125550100,"csi_type":"e164"}""", 400, Problems.MalformedRequest },
        { "null csi", "/v1/lookup", Json, """{"csi":null,"csi_type":"e164"}""", 400, Problems.MalformedRequest },
        { "missing csi_type", "/v1/lookup", Json, """{"csi":"+12125550100"}""", 400, Problems.MalformedRequest },
        { "duplicate member", "/v1/lookup", Json, """{"csi":"+12125550100","csi":"+12125550101","csi_type":"e164"}""", 400, Problems.MalformedRequest },
        { "deep nesting", "/v1/lookup", Json, Deep(5000), 400, Problems.MalformedRequest },
        { "trailing garbage", "/v1/lookup", Json, """{"csi":"+12125550100","csi_type":"e164"} x""", 400, Problems.MalformedRequest },
        { "csi with punctuation", "/v1/lookup", Json, """{"csi":"+1 (212) 555-0100","csi_type":"e164"}""", 400, Problems.UnsupportedCsi },
        { "unknown csi type", "/v1/lookup", Json, """{"csi":"+12125550100","csi_type":"msisdn"}""", 400, Problems.UnsupportedCsi },
        { "upper-case email", "/v1/lookup", Json, """{"csi":"Alice@Example.com","csi_type":"email"}""", 400, Problems.UnsupportedCsi },
        { "mapping not base64url", "/v1/mappings", Json, """{"mapping":"***"}""", 400, Problems.MalformedRequest },
        { "mapping padded base64", "/v1/mappings", Json, """{"mapping":"AA=="}""", 400, Problems.MalformedRequest },
        { "mapping as number", "/v1/mappings", Json, """{"mapping":42}""", 400, Problems.MalformedRequest },
        { "mapping empty", "/v1/mappings", Json, """{"mapping":""}""", 400, Problems.InvalidMapping },
        { "mapping not cbor", "/v1/mappings", Json, Mapping([0xff, 0x00, 0x13]), 400, Problems.InvalidMapping },
        { "mapping untagged map", "/v1/mappings", Json, Mapping([0xa0]), 400, Problems.InvalidMapping },
        { "mapping tag 98 of nothing", "/v1/mappings", Json, Mapping([0xd8, 0x62, 0x80]), 400, Problems.InvalidMapping },
        { "mapping indefinite array", "/v1/mappings", Json, Mapping([0xd8, 0x62, 0x9f, 0xff]), 400, Problems.InvalidMapping },
        { "mapping huge declared length", "/v1/mappings", Json, Mapping([0xd8, 0x62, 0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 400, Problems.InvalidMapping },
        { "removal not cose", "/v1/mappings/remove", Json, """{"removal":"AAEC"}""", 400, Problems.InvalidMapping },
        { "removal wrong type", "/v1/mappings/remove", Json, """{"removal":["a"]}""", 400, Problems.MalformedRequest },
        { "trust key too short", "/test-control/trust", Json, """{"csip_keys":[{"owner":"csip.example","x":"AAEC"}]}""", 400, Problems.MalformedRequest },
        { "clock backwards", "/test-control/clock", Json, """{"advance_s":-5}""", 400, Problems.MalformedRequest },
        { "clock as string", "/test-control/clock", Json, """{"advance_s":"5"}""", 400, Problems.MalformedRequest },
        { "unknown endpoint", "/v2/lookup", Json, "{}", 404, Problems.NotFound },
        { "unknown test-control endpoint", "/test-control/teleport", Json, "{}", 404, Problems.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_profile_problem(string name, string path, string? contentType, string body, int status, string type)
    {
        _ = name;
        using var response = await Dp.PostRawAsync(path, Encoding.UTF8.GetBytes(body), contentType);

        await ShouldBeProblemAsync(response, status, type);
    }

    /// <summary>[[[…]]] nested <paramref name="depth"/> times: a stack bomb for recursive CBOR readers.</summary>
    private static byte[] DeepArray(int depth) => [.. Enumerable.Repeat((byte)0x81, depth), 0x80];

    private static byte[] Bstr(byte[] content)
    {
        var w = new System.Formats.Cbor.CborWriter();
        w.WriteByteString(content);
        return w.Encode();
    }

    /// <summary>A well-formed payload, so verification gets as far as decoding the credential.</summary>
    private byte[] PayloadWithPop(byte[] pop) =>
        new MappingPayload("+12125550100", CsiTypes.E164, [], 1, 4_000_000_000, new byte[16], false, Dp.DpId, pop).Encode();

    public static TheoryData<string> DeepCborPlaces => ["payload", "body-protected-header", "unprotected-header", "credential", "removal"];

    [Theory]
    [MemberData(nameof(DeepCborPlaces))]
    public async Task Deeply_nested_cbor_is_an_invalid_mapping_not_a_crash(string place)
    {
        const int depth = 30_000;
        byte[] contentType = [0xa1, 0x03, 0x78, 0x1d, .. Encoding.ASCII.GetBytes(MappingContentType)];
        byte[] signatures = [0x81, 0x83, 0x40, 0xa0, 0x40];
        byte[] cose = place switch
        {
            "payload" => [0xd8, 0x62, 0x84, .. Bstr(contentType), 0xa0, .. Bstr([0xa1, 0x64, .. "msps"u8, .. DeepArray(depth)]), .. signatures],
            "body-protected-header" => [0xd8, 0x62, 0x84, .. Bstr([0xa1, 0x01, .. DeepArray(depth)]), 0xa0, 0x41, 0xa0, .. signatures],
            "unprotected-header" => [0xd8, 0x62, 0x84, .. Bstr(contentType), 0xa1, 0x01, .. DeepArray(depth), 0x41, 0xa0, .. signatures],
            "credential" => [0xd8, 0x62, 0x84, .. Bstr(contentType), 0xa0, .. Bstr(PayloadWithPop([0xd2, 0x84, 0x40, 0xa1, 0x01, .. DeepArray(depth), 0x40, 0x40])), .. signatures],
            _ => [0xd2, 0x84, 0x40, 0xa1, 0x01, .. DeepArray(depth), 0x40, 0x40],
        };
        var (path, field) = place == "removal" ? ("/v1/mappings/remove", "removal") : ("/v1/mappings", "mapping");

        using var response = await Dp.PostRawAsync(path, Encoding.UTF8.GetBytes($$"""{"{{field}}":"{{B64.Encode(cose)}}"}"""), Json);

        await ShouldBeProblemAsync(response, 400, Problems.InvalidMapping);
    }

    [Fact]
    public async Task A_compressed_body_is_unsupported_media_type()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/lookup") { Content = new StringContent("""{"csi":"+12125550100","csi_type":"e164"}""", Encoding.UTF8, Json) };
        request.Content.Headers.ContentEncoding.Add("gzip");

        using var response = await Dp.Http.SendAsync(request, TestContext.Current.CancellationToken);

        await ShouldBeProblemAsync(response, 415, Problems.UnsupportedMediaType);
    }

    [Fact]
    public async Task Invalid_utf8_is_malformed()
    {
        using var response = await Dp.PostRawAsync("/v1/lookup", [(byte)'{', (byte)'"', 0xc3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], Json);

        await ShouldBeProblemAsync(response, 400, Problems.MalformedRequest);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_or_without_content_length()
    {
        var big = Encoding.UTF8.GetBytes("{\"csi\":\"" + new string('1', 70_000) + "\",\"csi_type\":\"e164\"}");
        using var declared = await Dp.PostRawAsync("/v1/lookup", big, Json);
        await ShouldBeProblemAsync(declared, 413, Problems.PayloadTooLarge);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/lookup") { Content = new StreamContent(new MemoryStream(big)) };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        using var response = await Dp.Http.SendAsync(chunked, TestContext.Current.CancellationToken);
        await ShouldBeProblemAsync(response, 413, Problems.PayloadTooLarge);
    }

    [Theory]
    [InlineData("GET", "/v1/mappings")]
    [InlineData("PUT", "/v1/lookup")]
    [InlineData("DELETE", "/v1/mappings/remove")]
    [InlineData("POST", "/.well-known/mimi-discovery")]
    [InlineData("GET", "/test-control/reset")]
    public async Task A_wrong_method_is_405_with_allow(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await Dp.Http.SendAsync(request, TestContext.Current.CancellationToken);

        await ShouldBeProblemAsync(response, 405, Problems.MethodNotAllowed);
        response.Content.Headers.Allow.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Plain_http_to_the_https_port_gets_no_http_answer()
    {
        using var plain = new HttpClient { BaseAddress = new UriBuilder(Dp.Dp.Url) { Scheme = "http" }.Uri, Timeout = TimeSpan.FromSeconds(10) };

        var act = () => plain.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task Many_concurrent_bad_and_good_requests_never_get_a_5xx()
    {
        var bodies = new[] { "{", "[]", """{"csi":"+12125550100","csi_type":"e164"}""", """{"mapping":"2GKA"}""", new string('x', 1000) };
        var tasks = Enumerable.Range(0, 60).Select(async i =>
        {
            var path = i % 2 == 0 ? "/v1/lookup" : "/v1/mappings";
            using var response = await Dp.PostRawAsync(path, Encoding.UTF8.GetBytes(bodies[i % bodies.Length]), Json);
            return response.StatusCode;
        });

        var statuses = await Task.WhenAll(tasks);

        statuses.Should().OnlyContain(s => (int)s < 500);
        statuses.Should().Contain(HttpStatusCode.OK);
    }
}
