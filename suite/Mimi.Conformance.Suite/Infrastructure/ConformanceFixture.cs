using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;

[assembly: AssemblyFixture(typeof(Mimi.Conformance.Suite.Infrastructure.ConformanceFixture))]

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// One per run: options from MIMI_* variables, the client, the DP's metadata, and the harness's roles. Set-up
/// failures are kept, not thrown, so every test can report them as its verdict's reason.
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private DpClient? _client;
    private readonly SetupLog _setup = new();

    /// <summary>The exchanges made before any test (metadata, test-control trust): evidence for the metadata test.</summary>
    internal IReadOnlyList<Harness.Results.Exchange> SetupExchanges => _setup.Exchanges;

    internal ConformanceOptions? Options { get; private set; }

    internal Parties Parties { get; private set; } = null!;

    internal DpMetadata? Metadata { get; private set; }

    /// <summary>The raw metadata document, for members DpMetadata does not model (e.g. rate_limit, PROFILE.md §10).</summary>
    internal JsonObject? MetadataJson { get; private set; }

    /// <summary>Why the harness cannot talk to the DP at all (configuration or metadata), if so.</summary>
    internal string? SetupError { get; private set; }

    /// <summary>Why the DP will not trust the harness's CSIP/MSP keys, if so: publishing tests are then not verifiable.</summary>
    internal string? PublishBlocker { get; private set; }

    internal DpClient Client
    {
        get
        {
            if (SetupError is not null)
                throw new HarnessErrorException(SetupError);
            _client!.Sink = Evidence.Current;
            return _client;
        }
    }

    internal DpMetadata Meta => Metadata ?? throw new HarnessErrorException(SetupError ?? "no metadata");

    internal long Now => Parties.Now;

    public async ValueTask InitializeAsync()
    {
        try
        {
            Options = ConformanceOptions.FromEnvironment();
        }
        catch (ConfigurationException e)
        {
            SetupError = $"configuration: {e.Message}";
            return;
        }
        Parties = new Parties(Options.Seed, TimeProvider.System);
        _client = new DpClient(Options, TimeProvider.System) { Sink = _setup };
        if (Environment.GetEnvironmentVariable("MIMI_TRACE_TESTS") == "1")
            _client.TraceLabel = static () => TestContext.Current.TestMethod is { } m ? $"{m.TestClass.TestClassName}.{m.MethodName}" : null;
        var response = await _client.GetAsync(ProfileConstants.MetadataPath);
        if (response.TransportError is not null)
        {
            SetupError = $"cannot fetch {ProfileConstants.MetadataPath}: {response.TransportError}";
            return;
        }
        if (response.Status != 200 || response.Json is not { } json)
        {
            SetupError = $"{ProfileConstants.MetadataPath} answered {response.Describe()}, not a JSON metadata document";
            return;
        }
        Metadata = DpMetadata.Parse(json);
        MetadataJson = json;
        PublishBlocker = await EstablishTrustAsync(_client, Metadata);
    }

    private async Task<string?> EstablishTrustAsync(DpClient client, DpMetadata metadata)
    {
        const string manual = "configure the DP to trust the harness's CSIP key (see the report's run section) and re-run";
        if (metadata.TestControlPath is null)
            return $"the DP offers no test control, so it cannot be told to trust the harness's CSIP; {manual}";
        if (!Options!.AllowTestControl)
            return $"test control is offered but not allowed for this target (pass --allow-test-control); {manual}";
        var body = new JsonObject
        {
            ["csip_keys"] = new JsonArray(new JsonObject { ["owner"] = Parties.Csip.Id, ["x"] = B64.Encode(Parties.Csip.Key.PublicKey) }),
            ["msp_keys"] = new JsonArray(Parties.Msps.Select(m => (JsonNode)new JsonObject { ["owner"] = m.Id, ["x"] = B64.Encode(m.Key.PublicKey) }).ToArray()),
            ["dp_keys"] = new JsonArray(new JsonObject { ["owner"] = Parties.PeerDp.Id, ["x"] = B64.Encode(Parties.PeerDp.Key.PublicKey) }),
        };
        var response = await client.PostJsonAsync($"{metadata.TestControlPath.TrimEnd('/')}/trust", body);
        return response.Status is 200 or 204 ? null : $"test control /trust answered {response.Describe()}; {manual}";
    }

    /// <summary>After a test-control reset (which forgets trusted keys), tells the DP to trust the harness again.</summary>
    internal async Task ReestablishTrustAsync() => PublishBlocker = await EstablishTrustAsync(Client, Meta);

    /// <summary>
    /// Test-control reset outside any test (a class fixture's clean-up): forgets what the class set up, e.g. peers,
    /// then trusts the harness again. Recorded with the set-up exchanges.
    /// </summary>
    internal async Task ResetOutsideTestAsync()
    {
        if (_client is null || Metadata?.TestControlPath is not { } testControl || Options?.AllowTestControl != true)
            return;
        _client.Sink = _setup;
        await _client.PostJsonAsync($"{testControl.TrimEnd('/')}/reset", new JsonObject());
        PublishBlocker = await EstablishTrustAsync(_client, Metadata);
    }

    /// <summary>Stops the test as not-verifiable when the DP cannot accept the harness's mappings.</summary>
    internal void RequirePublishing()
    {
        _ = Meta;
        if (PublishBlocker is not null)
            Expect.NotVerifiable(PublishBlocker);
    }

    private sealed class SetupLog : IExchangeSink
    {
        public List<Harness.Results.Exchange> Exchanges { get; } = [];

        public void Record(Harness.Results.Exchange exchange) => Exchanges.Add(exchange);
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }
}
