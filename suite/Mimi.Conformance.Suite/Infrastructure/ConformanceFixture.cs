using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;

[assembly: AssemblyFixture(typeof(Mimi.Conformance.Suite.Infrastructure.ConformanceFixture))]

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// One per run: options from MIMI_* variables, the client, the DP's metadata (fetched once, here), and the harness's roles. Set-up
/// failures are kept, not thrown, so every test can report them as its verdict's reason.
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private DpClient? _client;
    private ProfileClient? _profile;
    private readonly SetupLog _setup = new();

    /// <summary>The exchanges made before any test (metadata, test-control trust): evidence for the metadata test.</summary>
    internal IReadOnlyList<Harness.Results.Exchange> SetupExchanges
    {
        get
        {
            _ = Metadata?.Document; // the raw metadata response: every member, for the self-test's trace
            return _setup.Exchanges;
        }
    }

    internal ConformanceOptions? Options { get; private set; }

    internal Parties Parties { get; private set; } = null!;

    /// <summary>The client credentials the operator issued (--client-credentials), shared by every test of the run.</summary>
    internal ClientCredentialPool IssuedClients { get; private set; } = new([]);

    internal DpMetadata? Metadata => _profile?.Metadata;

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

    /// <summary>
    /// The client even when the metadata was unusable, for the one test whose subject is the metadata: a DP's
    /// malformed metadata is that test's failure, not a harness error. Null only when the configuration is broken.
    /// </summary>
    internal DpClient? MetadataClient
    {
        get
        {
            if (_client is not null)
                _client.Sink = Evidence.Current;
            return _client;
        }
    }

    /// <summary>The typed profile client of the DP under test, recording into the current test's evidence.</summary>
    internal ProfileClient Profile
    {
        get
        {
            _ = Client;
            return _profile ?? throw new HarnessErrorException(SetupError ?? "no metadata");
        }
    }

    /// <summary>Test control, when the DP offers it and the operator allows it; null otherwise (the caller says what that makes the test).</summary>
    internal TestControlClient? TestControl => Options?.AllowTestControl == true ? Profile.TestControl : null;

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
        Parties = new Parties(Options.Seed, TimeProvider.System, Options.IdentitySeed);
        IssuedClients = new ClientCredentialPool(Options.ClientCredentials);
        _client = new DpClient(Options, TimeProvider.System) { Sink = _setup };
        var trace = Environment.GetEnvironmentVariable("MIMI_TRACE_TESTS") == "1";
        if (trace)
            _client.TraceLabel = TraceLabel;
        var (profile, _, problem) = await ProfileClient.ConnectAsync(_client);
        if (profile is null)
        {
            SetupError = problem;
            return;
        }
        _profile = trace ? new ProfileClient(_client, profile.Metadata with { Observer = ReportRead }) : profile;
        PublishBlocker = await EstablishTrustAsync(_profile);
    }

    private static readonly AsyncLocal<string?> SettingUp = new();

    /// <summary>
    /// The current test as the self-test's trace names it (Class.Method), a class fixture's set-up while it runs
    /// (<see cref="SetUpTracedAsync"/>), or null outside any test.
    /// </summary>
    internal static string? TraceLabel() => SettingUp.Value ?? (TestContext.Current.TestMethod is { } m ? $"{m.TestClass.TestClassName}.{m.MethodName}" : null);

    /// <summary>
    /// Runs a class fixture's lazy set-up under its own trace label: the tests using the fixture then inherit what the
    /// set-up consulted, the same whichever test triggered it, and not what that test's own body consulted.
    /// </summary>
    internal static async Task<T> SetUpTracedAsync<T>(string fixture, Func<Task<T>> setUp)
    {
        SettingUp.Value = SetUpLabel(fixture); // an async method's AsyncLocal change stays with its own callees
        return await setUp();
    }

    internal static string SetUpLabel(string fixture) => $"{Harness.Results.SuiteTrace.SetUpPrefix}{fixture}";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, string), byte> _reported = new();

    private bool Traced => _client?.TraceLabel is not null;

    /// <summary>Tells the self-test that the current test uses state a class fixture set up while serving <paramref name="earlier"/>.</summary>
    internal void ReportInherits(string? earlier)
    {
        var test = TraceLabel();
        if (Traced && earlier is not null && test is not null && test != earlier && _reported.TryAdd((test, "<- " + earlier), 0))
            Console.Error.WriteLine($"{Harness.Results.SuiteTrace.InheritsPrefix}{test}\t{earlier}");
    }

    /// <summary>Tells the self-test (on stderr, once per test and member) which member of the fetched metadata a test read.</summary>
    private void ReportRead(string member)
    {
        var test = TraceLabel();
        if (_reported.TryAdd((test, member), 0))
            Console.Error.WriteLine($"{DpMetadata.ReadTracePrefix}{test ?? ""}\t{member}");
    }

    /// <summary>The keys the DP must trust for the harness's mappings, imports and invalidations (PROFILE.md §8 /trust).</summary>
    private IEnumerable<TrustedKey> HarnessKeys => Parties.HarnessKeys;

    private async Task<string?> EstablishTrustAsync(ProfileClient profile)
    {
        const string manual = "configure the DP to trust the harness's keys (the trust body in report.json run.harness.trust_body and the HTML " +
            "report's header; for keys that stay the same across runs: ./run.sh keys generate, configure them once, then run with --keys FILE) and re-run";
        var allowed = Options!.AllowTestControl && profile.TestControl is not null;
        if (!allowed && Options.TrustConfigured)
            return null; // The operator configured the keys of the keys file out of band (--keys).
        if (profile.TestControl is null)
            return $"the DP offers no test control, so it cannot be told to trust the harness's CSIP; {manual}";
        if (!Options.AllowTestControl)
            return $"test control is offered but not allowed for this target (pass --allow-test-control); {manual}";
        var response = await profile.TestControl.TrustAsync(HarnessKeys);
        return TestControlClient.Succeeded(response) ? null : $"test control /trust answered {response.Describe()}; {manual}";
    }

    /// <summary>After a test-control reset (which forgets trusted keys), tells the DP to trust the harness again.</summary>
    internal async Task ReestablishTrustAsync() => PublishBlocker = await EstablishTrustAsync(Profile);

    /// <summary>
    /// Test-control reset outside any test (a class fixture's clean-up): forgets what the class set up, e.g. peers,
    /// then trusts the harness again. Recorded with the set-up exchanges.
    /// </summary>
    internal async Task ResetOutsideTestAsync()
    {
        if (_client is null || _profile?.TestControl is not { } testControl || Options?.AllowTestControl != true)
            return;
        _client.Sink = _setup;
        await testControl.ResetAsync();
        PublishBlocker = await EstablishTrustAsync(_profile);
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
