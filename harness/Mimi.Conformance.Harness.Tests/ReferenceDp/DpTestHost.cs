using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>
/// A reference DP started in-process on an ephemeral port with its own temp data directory, plus an HttpClient
/// that trusts exactly its certificate (SPIKES §2 (A), pinning).
/// </summary>
internal sealed class DpTestHost : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private DpTestHost(RunningDp dp, string dataDirectory, bool ownsDirectory)
    {
        Dp = dp;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        Http = PinnedClient(dp);
    }

    public RunningDp Dp { get; }

    public HttpClient Http { get; }

    public string DataDirectory { get; }

    public string DpId => Dp.DpId;

    public static Task<DpTestHost> StartAsync(string? dataDirectory = null, bool testControl = true, params string[] faults) =>
        StartAsync(o => o, dataDirectory, testControl, faults);

    /// <summary>Like the other overload, with options adjusted (e.g. a short peer timeout).</summary>
    public static async Task<DpTestHost> StartAsync(Func<ReferenceDpOptions, ReferenceDpOptions> adjust, string? dataDirectory = null, bool testControl = true, params string[] faults)
    {
        var owns = dataDirectory is null;
        var dir = dataDirectory ?? Directory.CreateTempSubdirectory("mimi-refdp-test-").FullName;
        var dp = await ReferenceDpHost.StartAsync(
            adjust(new ReferenceDpOptions { DataDirectory = dir, TestControl = testControl, Faults = new HashSet<string>(faults) }),
            TestContext.Current.CancellationToken);
        return new DpTestHost(dp, dir, owns);
    }

    public static HttpClient PinnedClient(RunningDp dp)
    {
        var pin = Convert.FromHexString(dp.PinSha256Hex);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && CryptographicOperations.FixedTimeEquals(cert.GetCertHash(HashAlgorithmName.SHA256), pin);
        return new HttpClient(handler) { BaseAddress = dp.Url, Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>Tells the DP to trust the harness's CSIP and MSP keys (test control §8).</summary>
    public async Task TrustAsync(Parties parties)
    {
        var keys = parties.TrustedForDp.ToArray();
        var body = new JsonObject
        {
            ["csip_keys"] = new JsonArray([.. keys.Where(k => k.Role == "csip").Select(Entry)]),
            ["msp_keys"] = new JsonArray([.. keys.Where(k => k.Role == "msp").Select(Entry)]),
        };
        using var response = await PostAsync("/test-control/trust", body);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        static JsonNode Entry(TrustedKey k) => new JsonObject { ["owner"] = k.Owner, ["x"] = B64.Encode(k.PublicKey) };
    }

    public Task<HttpResponseMessage> PostAsync(string path, JsonNode body) =>
        PostRawAsync(path, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");

    public Task<HttpResponseMessage> PostRawAsync(string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Http.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    public async Task<(int Status, JsonNode? Body)> PublishAsync(byte[] mapping)
    {
        using var response = await PostAsync("/v1/mappings", new JsonObject { ["mapping"] = B64.Encode(mapping) });
        return ((int)response.StatusCode, await JsonOf(response));
    }

    public async Task<(int Status, JsonNode? Body)> LookupAsync(string csi, string csiType = "e164")
    {
        using var response = await PostAsync("/v1/lookup", new JsonObject { ["csi"] = csi, ["csi_type"] = csiType });
        return ((int)response.StatusCode, await JsonOf(response));
    }

    public async Task<(int Status, JsonNode? Body)> RemoveAsync(byte[] removal)
    {
        using var response = await PostAsync("/v1/mappings/remove", new JsonObject { ["removal"] = B64.Encode(removal) });
        return ((int)response.StatusCode, await JsonOf(response));
    }

    public static async Task<JsonNode?> JsonOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Asserts an RFC 9457 problem with the profile's type and status.</summary>
    public static async Task ShouldBeProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var body = await JsonOf(response);
        ((int)response.StatusCode).Should().Be(status, body?.ToJsonString());
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        body!["type"]!.GetValue<string>().Should().Be(type);
        body["status"]!.GetValue<int>().Should().Be(status);
        body["title"]!.GetValue<string>().Should().NotBeEmpty();
    }

    public static string Type(JsonNode? problem) => problem?["type"]?.GetValue<string>() ?? "(no type)";

    public static string Show(JsonNode? body) => body?.ToJsonString() ?? "(no body)";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Dp.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }
    }
}
