using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>What the federation tests run against (PROFILE.md §11.9): the fake peers and what the DP declared.</summary>
internal sealed record PeerSetup(FakePeerDp A, FakePeerDp B, FakePeerDp C, FakePeerDp D, string DeadPeer, bool Restricted, IReadOnlyList<string> ForwardJurisdictions, JsonObject? Federation, IReadOnlyList<string> Preferred)
{
    /// <summary>The registry the DP was given: A, B, C, D, E (down) and the DP itself, in this order.</summary>
    public IReadOnlyList<RegistryEntry> Entries { get; init; } = [];

    /// <summary>The test-control <c>/peers</c> request that gave it (A serves the registry, the pins are A–D's).</summary>
    public required PeersRequest Request { get; init; }

    /// <summary>The live peers in registry order.</summary>
    public IReadOnlyList<FakePeerDp> Live => [A, B, C, D];

    /// <summary>Whether the DP may forward to a peer (§11.7).</summary>
    public bool Allowed(FakePeerDp peer) => !Restricted || peer.Jurisdictions.Any(ForwardJurisdictions.Contains);

    public string? Default => Federation?["default"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public IReadOnlyList<string> Modes => Federation?["modes"] is JsonArray a ? [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")] : [];

    /// <summary>The live peers a lookup in this mode must reach (client_selected: <paramref name="listed"/>).</summary>
    public IReadOnlySet<string> Expected(string mode, params FakePeerDp[] listed) => mode switch
    {
        "all" => Live.Where(Allowed).Select(p => p.DpId).ToHashSet(),
        "dp_preferred" => Live.Where(p => Preferred.Contains(p.DpId) && Allowed(p)).Select(p => p.DpId).ToHashSet(),
        "client_selected" => listed.Where(Allowed).Select(p => p.DpId).ToHashSet(),
        _ => new HashSet<string>(),
    };

    public void ClearRequests()
    {
        foreach (var p in Live)
            p.ClearRequests();
    }

    public void ClearMappings()
    {
        foreach (var p in Live)
        {
            p.ClearMappings();
            p.Behavior = FakePeerBehavior.Answer;
        }
    }

    /// <summary>How many peer lookups each live peer received since the last clear.</summary>
    public IReadOnlyDictionary<string, int> Reached() =>
        Live.ToDictionary(p => p.DpId, p => p.RequestsTo(FakePeerDp.PeerLookupPath).Count);

    /// <summary>Every peer lookup the live peers received, with the peer that got it.</summary>
    public IReadOnlyList<(FakePeerDp Peer, RecordedRequest Request)> Forwards() =>
        [.. Live.SelectMany(p => p.RequestsTo(FakePeerDp.PeerLookupPath).Select(r => (p, r)))];

    /// <summary>Puts what the peers received into the test's evidence, secret header values redacted.</summary>
    public void RecordEvidence()
    {
        var seq = 1_000_000;
        foreach (var peer in Live)
        {
            foreach (var r in peer.Requests)
            {
                var headers = r.Headers.GroupBy(h => h.Key.ToLowerInvariant())
                    .ToDictionary(g => g.Key, g => RecordedRequest.SecretHeaders.Contains(g.Key) ? $"[redacted, {string.Join(", ", g.Select(h => h.Value)).Length} chars]" : string.Join(", ", g.Select(h => h.Value)));
                Evidence.Current.Record(new Exchange(++seq, r.Method, $"{peer.BaseUrl.GetLeftPart(UriPartial.Authority)}{r.Path} (received by fake peer {peer.DpId})",
                    headers, r.Body.Length == 0 ? null : Encoding.UTF8.GetString(r.Body), null, new Dictionary<string, string>(), null, false, null, 0, []));
            }
        }
    }
}

/// <summary>
/// The fake peer DPs of the federation tests, started once per test class on the first test that needs them, and
/// the DP under test pointed at their registry through test control <c>/peers</c> (PROFILE.md §11.2). Clean-up stops
/// the peers and resets the DP so that no later test sees them.
/// </summary>
public sealed class FederationPeers : IAsyncLifetime
{
    public const string ClassName = "federation";
    private const string OutOfRegion = "ZZ";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<FakePeerDp> _started = [];
    private ConformanceFixture? _dp;
    private PeerSetup? _setup;
    private PeersRequest? _peers;
    private string? _failure;
    private string? _unreachable;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>The peers, set up on first use; skips the test when the class is not claimed or test control is missing.</summary>
    internal async Task<PeerSetup> EnsureAsync(ConformanceFixture dp)
    {
        if (!dp.Meta.ConformanceClasses.Contains(ClassName))
            Expect.NotApplicable("the DP does not claim the federation class in conformance_classes");
        if (dp.TestControl is null)
            Expect.NotVerifiable("the harness points the DP at its fake peer DPs through test control (PROFILE.md §11.2 POST {test_control}/peers); " +
                "the DP offers none or --allow-test-control was not given. Manual procedure: register the harness's peers in the DP's registry and re-run");
        await _gate.WaitAsync();
        try
        {
            if (_setup is null && _failure is null && _unreachable is null)
            {
                try
                {
                    _setup = await ConformanceFixture.SetUpTracedAsync(nameof(FederationPeers), () => SetUpAsync(dp));
                }
                catch (PeersUnreachableException e)
                {
                    _unreachable = e.Message;
                }
                catch (HarnessErrorException e)
                {
                    _failure = e.Message;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        dp.ReportInherits(ConformanceFixture.SetUpLabel(nameof(FederationPeers)));
        if (_unreachable is not null)
            Expect.NotVerifiable(_unreachable);
        if (_failure is not null)
            throw new HarnessErrorException(_failure);
        var setup = _setup!;
        setup.ClearMappings();
        setup.ClearRequests();
        return setup;
    }

    private async Task<PeerSetup> SetUpAsync(ConformanceFixture dp)
    {
        _dp = dp;
        var federation = dp.Meta.Federation;
        var forward = dp.Meta.FederationStrings("forward_jurisdictions");
        var declared = dp.Meta.FederationStrings("jurisdictions");
        var home = forward.Count > 0 ? forward[0] : declared.Count > 0 ? declared[0] : "EU";
        var restricted = forward.Count > 0 && !forward.Contains(OutOfRegion);
        var ct = TestContext.Current.CancellationToken;
        async Task<FakePeerDp> Start(string name, string jurisdiction)
        {
            var peer = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = $"mimi://{name}.federation.conformance.test", Jurisdictions = [jurisdiction] }, ct);
            _started.Add(peer);
            return peer;
        }

        var a = await Start("peer-a", home);
        var b = await Start("peer-b", home);
        var c = await Start("peer-c", home);
        var d = await Start("peer-d", OutOfRegion);
        // E is registered but down: every lookup that should ask it has to report it (§11.5).
        var e = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://peer-e.federation.conformance.test", Jurisdictions = [home] }, ct);
        var eEntry = FakePeerRegistry.Entry(e);
        await e.DisposeAsync();

        var self = FakePeerRegistry.Entry(dp.Meta.DpId, dp.Client.Endpoint.Authority, [dp.Meta.SigningKeys.Count > 0 ? dp.Meta.SigningKeys[0].PublicKey : new byte[32]], declared);
        RegistryEntry[] entries = [FakePeerRegistry.Entry(a), FakePeerRegistry.Entry(b), FakePeerRegistry.Entry(c), FakePeerRegistry.Entry(d), eEntry, self];
        a.SetRegistry(FakePeerRegistry.Build(entries));
        _peers = new PeersRequest(a.RegistryUrl.ToString(), [.. new[] { a, b, c, d }.Select(p => p.CertificatePin)], [b.DpId, d.DpId]);
        var response = await dp.TestControl!.PeersAsync(_peers);
        if (response.Status == 502)
            throw new PeersUnreachableException($"test control /peers answered {response.Describe()}{Expect.ProblemType(response)}: the DP cannot fetch the registry from the harness's fake peers on 127.0.0.1; run the DP on the harness's host");
        if (!TestControlClient.Succeeded(response))
            throw new HarnessErrorException($"test control /peers answered {response.Describe()}{Expect.ProblemType(response)}: {Clip(response.Text)}");
        // Preferences are the DP's, and /peers just changed them: read them back from its metadata (the one re-read).
        var (metadata, _, _) = await DpMetadata.FetchAsync(dp.Client);
        var fresh = metadata?.Federation ?? federation;
        return new PeerSetup(a, b, c, d, e.DpId, restricted, forward, fresh, DpMetadata.Strings(fresh?["preferred"])) { Entries = entries, Request = _peers };
    }

    /// <summary>
    /// Test-control reset inside a test (e.g. after moving the DP's clock), then trust and this class's registry again,
    /// so the class's later tests find the DP as set up (its mappings are gone: each test publishes its own).
    /// </summary>
    internal async Task ResetDpAsync(ConformanceFixture dp)
    {
        await dp.TestControl!.ResetAsync();
        await dp.ReestablishTrustAsync();
        await RestoreAsync(dp);
    }

    /// <summary>Gives the DP this class's registry again, after a test pointed it at another one (no reset: its mappings stay).</summary>
    internal async Task RestoreAsync(ConformanceFixture dp)
    {
        var response = await dp.TestControl!.PeersAsync(_peers!);
        if (!TestControlClient.Succeeded(response))
            throw new HarnessErrorException($"test control /peers with the class's registry answered {response.Describe()}{Expect.ProblemType(response)}");
    }

    private static string Clip(string s) => s.Length <= 300 ? s : s[..300] + "…";

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _started)
            await peer.DisposeAsync();
        if (_dp is not null)
            await _dp.ResetOutsideTestAsync();
        _gate.Dispose();
    }
}

/// <summary>The DP under test cannot reach the fake peers (it runs elsewhere): the class is not verifiable here.</summary>
internal sealed class PeersUnreachableException(string message) : Exception(message);
