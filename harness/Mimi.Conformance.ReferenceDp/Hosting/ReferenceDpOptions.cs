using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>How to start a reference DP. Only <see cref="DataDirectory"/> is required.</summary>
public sealed record ReferenceDpOptions
{
    public const string DefaultDpId = "mimi://reference-dp.conformance.test";

    /// <summary>TCP port; 0 picks a free one (read the real one from <see cref="RunningDp.Url"/>).</summary>
    public int Port { get; init; }

    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>Holds dp.sqlite, dp-signing.key (created once, reused), dp-cert.pem (rewritten each start).</summary>
    public required string DataDirectory { get; init; }

    public string DpId { get; init; } = DefaultDpId;

    /// <summary>Fault mode names (Faults/FaultRegistry.cs); unknown names make StartAsync throw.</summary>
    public IReadOnlySet<string> Faults { get; init; } = new HashSet<string>();

    /// <summary>The self-test's tracer: which duties each suite test made the DP consult (Faults/DutyRecorder.cs).</summary>
    public DutyRecorder? DutyRecorder { get; init; }

    /// <summary>Where the endpoints are served and advertised (PROFILE.md §6: a DP may move them).</summary>
    public DpEndpointPaths Endpoints { get; init; } = DpEndpointPaths.Default;

    /// <summary>Expose the §8 test-control endpoints and advertise them in metadata.</summary>
    public bool TestControl { get; init; } = true;

    /// <summary>When set, test control requires this token in Mimi-Test-Control-Token (serve-dp); null: unauthenticated (in-process DPs).</summary>
    public string? TestControlToken { get; init; }

    /// <summary>Keys trusted by configuration (CSIP, MSP), besides those added through test control.</summary>
    public IReadOnlyList<TrustedKey> TrustedKeys { get; init; } = [];

    /// <summary>Identified-client credentials issued by configuration (PROFILE.md §10.1), besides test control's /clients.</summary>
    public IReadOnlyList<string> IssuedClients { get; init; } = [];

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Claim the anti-enumeration class (PROFILE.md §10): anonymous lookups need Privacy Pass tokens. Off by default so
    /// tests that start a DP for other subjects can look up anonymously; the CLI's embedded DP and serve-dp turn it on.
    /// </summary>
    public bool AntiEnumeration { get; init; }

    /// <summary>
    /// Claim the federation class (PROFILE.md §11): a peer directory, set through test control <c>/peers</c>, so only
    /// with <see cref="TestControl"/>; all four lookup modes, default local.
    /// </summary>
    public bool Federation { get; init; } = true;

    /// <summary>Where the DP holds and serves data (metadata federation.jurisdictions).</summary>
    public IReadOnlyList<string> Jurisdictions { get; init; } = ["EU"];

    /// <summary>The only jurisdictions it forwards lookups to (metadata federation.forward_jurisdictions); null = anywhere.</summary>
    public IReadOnlyList<string>? ForwardJurisdictions { get; init; } = ["EU"];

    /// <summary>How long the DP waits for a peer DP (PROFILE.md §11) before it gives up on it.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
