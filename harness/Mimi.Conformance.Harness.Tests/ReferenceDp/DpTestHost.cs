using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>
/// A reference DP started in-process on an ephemeral port with its own temp data directory, plus the harness's
/// typed profile client pinned to its certificate (<see cref="Profile"/>), and an HttpClient pinned the same way
/// for requests the typed client must not make (hostile framing, chunking, odd methods).
/// </summary>
internal sealed class DpTestHost : IAsyncDisposable
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly bool _ownsDirectory;
    private readonly DpClient _client;

    private DpTestHost(RunningDp dp, string dataDirectory, bool ownsDirectory, DpClient client, ProfileClient profile)
    {
        Dp = dp;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _client = client;
        Profile = profile;
        Http = PinnedClient(dp);
    }

    public RunningDp Dp { get; }

    /// <summary>The harness's typed client for this DP (metadata fetched at start).</summary>
    public ProfileClient Profile { get; }

    /// <summary>Test control of this DP (null when started without it).</summary>
    public TestControlClient? Control => Profile.TestControl;

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
        var client = PinnedDpClient(dp.Url.ToString(), dp.PinSha256Hex);
        var (profile, response, problem) = await ProfileClient.ConnectAsync(client, TestContext.Current.CancellationToken);
        if (profile is null)
        {
            client.Dispose();
            await dp.DisposeAsync();
            throw new InvalidOperationException($"the reference DP under test has no usable metadata: {problem} ({response.Text})");
        }
        return new DpTestHost(dp, dir, owns, client, profile);
    }

    /// <summary>The harness's DP client for a DP at <paramref name="url"/> whose leaf certificate has this SHA-256 (hex).</summary>
    public static DpClient PinnedDpClient(string url, string pinSha256Hex) =>
        new(new ConformanceOptions { DpUrl = DpEndpoint.Parse(url, "the test DP"), PinSha256 = pinSha256Hex, RequestTimeout = Timeout }.Validated(), TimeProvider.System);

    public static HttpClient PinnedClient(RunningDp dp)
    {
        var pin = Convert.FromHexString(dp.PinSha256Hex);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && CryptographicOperations.FixedTimeEquals(cert.GetCertHash(HashAlgorithmName.SHA256), pin);
        return new HttpClient(handler) { BaseAddress = dp.Url, Timeout = Timeout };
    }

    /// <summary>Tells the DP to trust the harness's CSIP and MSP keys (test control §8).</summary>
    public async Task TrustAsync(Parties parties)
    {
        var response = await Control!.TrustAsync(parties.TrustedForDp, TestContext.Current.CancellationToken);
        response.Status.Should().Be(204, response.Text);
    }

    /// <summary>A body the typed client would not send (a wrong member type, a missing member): sent as given.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, JsonNode body) =>
        PostRawAsync(path, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");

    /// <summary>A wire record (Protocol/Profile/Wire) to any path, answered as an HttpResponseMessage for header-level checks.</summary>
    public Task<HttpResponseMessage> PostAsync<T>(string path, T body, JsonTypeInfo<T> type) =>
        PostRawAsync(path, JsonSerializer.SerializeToUtf8Bytes(body, type), "application/json");

    public Task<HttpResponseMessage> PostRawAsync(string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Http.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    public async Task<(int Status, JsonNode? Body)> PublishAsync(byte[] mapping) => Answer(await Profile.PublishAsync(mapping, ct: TestContext.Current.CancellationToken));

    public async Task<(int Status, JsonNode? Body)> LookupAsync(string csi, string csiType = "e164") =>
        Answer(await Profile.LookupWithAsync(ProfileClient.Lookup(csi, csiType), null, ct: TestContext.Current.CancellationToken));

    public async Task<(int Status, JsonNode? Body)> RemoveAsync(byte[] removal) => Answer(await Profile.RemoveAsync(removal, TestContext.Current.CancellationToken));

    /// <summary>Status and JSON body of a typed call; a transport failure fails the test with its reason.</summary>
    public static (int Status, JsonNode? Body) Answer(DpResponse response)
    {
        response.TransportError.Should().BeNull();
        return (response.Status!.Value, response.Body.Length == 0 ? null : JsonNode.Parse(response.Body));
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
        _client.Dispose();
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
