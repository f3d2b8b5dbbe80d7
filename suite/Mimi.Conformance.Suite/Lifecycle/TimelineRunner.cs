using System.Diagnostics;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Lifecycle;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Lifecycle;

/// <summary>The timelines of vectors/lifecycle/timelines.json, embedded in the suite.</summary>
internal static class LifecycleTimelines
{
    public static IReadOnlyList<Timeline> All { get; } = Load();

    private static IReadOnlyList<Timeline> Load()
    {
        using var stream = typeof(LifecycleTimelines).Assembly.GetManifestResourceStream("lifecycle-timelines.json")
            ?? throw new InvalidOperationException("the suite was built without vectors/lifecycle/timelines.json");
        return Timeline.ReadAll(JsonNode.Parse(stream)!.AsObject());
    }

    public static Timeline Get(int tcId) => All.Single(t => t.TcId == tcId);
}

/// <summary>
/// Replays one timeline against the DP (PROFILE.md §12): resets it, moves its clock with test control to each step's
/// time, plays the recipient, the CSIP and a peer DP, and checks each step's result. Resets the DP again afterwards,
/// so the moved clock never reaches another test.
/// </summary>
internal sealed class TimelineRunner(ConformanceFixture dp, DpOperations ops)
{
    private const long Validity = 180 * 86_400;

    /// <summary>How long a broadcast may take to reach the fake peer (PROFILE.md §12.5).</summary>
    internal static readonly TimeSpan BroadcastWait = TimeSpan.FromSeconds(10);

    /// <summary>A signed request as sent, so that a replay step sends the very same request again.</summary>
    private sealed record Sent(string Path, Func<Task<DpResponse>> Send);

    private readonly Dictionary<string, (SigningKey Key, string Id, byte[] Nonce, long AssignedAt)> _mappings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelByNonce = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sent> _requests = new(StringComparer.Ordinal);
    private long _offset;
    private long _start;
    private string _csi = "";
    private FakePeerDp? _peer;

    /// <summary>The harness's clock, moved with the DP's.</summary>
    private long Now => ops.Parties.Now + _offset;

    private TestControlClient TestControl => dp.TestControl!;

    public async Task RunAsync(Timeline timeline)
    {
        if (timeline.Class != "core" && !dp.Meta.ConformanceClasses.Contains(timeline.Class))
            Expect.NotApplicable($"the DP does not claim the {timeline.Class} class");
        var manual = $"replay it by hand on a deployment that trusts the harness's CSIP and whose clock can be moved: {timeline.Procedure()}";
        if (dp.Meta.TestControlPath is null)
            Expect.NotVerifiable($"the timeline moves the DP's clock and resets it, which needs test control (PROFILE.md §8); {manual}");
        if (dp.TestControl is null)
            Expect.NotVerifiable($"test control is offered but not allowed for this target (pass --allow-test-control); {manual}");
        dp.RequirePublishing();
        Expect.Observed("timeline", $"tcId {timeline.TcId}: {timeline.Comment}", timeline.Procedure());
        await ControlAsync("reset", () => TestControl.ResetAsync());
        await dp.ReestablishTrustAsync();
        dp.RequirePublishing();
        try
        {
            if (timeline.Steps.Any(s => s.Action == TimelineStep.ExpectBroadcast))
                await StartPeerAsync(timeline);
            _csi = ops.Parties.NewE164();
            _start = ops.Parties.Now;
            foreach (var (step, i) in timeline.Steps.Select((s, i) => (s, i + 1)))
            {
                await MoveClockAsync(step.AtS);
                var observed = await PerformAsync(timeline, step);
                var (ok, expected, actual) = step.Expect.Matches(observed);
                Expect.That(ok, $"step {i}: {step.Action}{(step.Mapping ?? step.Request) switch { null => "", var l => " " + l }}", $"{expected} ({step.Describe()})", actual);
            }
        }
        finally
        {
            await ControlAsync("reset", () => TestControl.ResetAsync());
            await dp.ReestablishTrustAsync();
            if (_peer is not null)
                await _peer.DisposeAsync();
        }
    }

    /// <summary>Starts a fake peer DP on loopback and points the DP under test at it (test control /peers, PROFILE.md §11.2).</summary>
    private async Task StartPeerAsync(Timeline timeline)
    {
        _peer = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://peer-lifecycle.conformance.test", Key = ops.Parties.Key("lifecycle-fake-peer") }, TestContext.Current.CancellationToken);
        var entry = FakePeerRegistry.Entry(_peer);
        if (timeline.Steps.Any(s => s.DefaultInvalidatePath))
            entry = entry with { Endpoints = entry.Endpoints with { Invalidate = null } };
        _peer.SetRegistry(FakePeerRegistry.Build([entry]));
        await ConnectPeerAsync(TestControl, _peer, $"replay by hand with a peer DP in the DP's registry that records what arrives: {timeline.Procedure()}");
    }

    /// <summary>Points the DP under test at the fake peer's registry (test control /peers, PROFILE.md §11.2); not-verifiable when refused.</summary>
    internal static async Task ConnectPeerAsync(TestControlClient control, FakePeerDp peer, string manual)
    {
        var response = Expect.Reachable(await control.PeersAsync(new PeersRequest(peer.RegistryUrl.ToString(), [peer.CertificatePin])), "test control /peers");
        if (!TestControlClient.Succeeded(response))
            Expect.NotVerifiable($"the broadcast is checked through a fake peer DP the DP learns through test control /peers (PROFILE.md §11.2), which answered {response.Describe()}; {manual}");
    }

    /// <summary>Waits up to <see cref="BroadcastWait"/> for an invalidation naming the CSI at the fake peer; null when none came.</summary>
    internal static async Task<(RecordedRequest Request, CoseSign1 Envelope, Invalidation Payload)?> WaitForInvalidationAsync(FakePeerDp peer, string csi)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (InvalidationsTo(peer).FirstOrDefault(f => f.Payload.Csi == csi) is { Request: not null } found)
                return found;
            if (waited.Elapsed >= BroadcastWait)
                return null;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The invalidations the fake peer received so far, decoded (signature unchecked), oldest first.</summary>
    internal static IEnumerable<(RecordedRequest Request, CoseSign1 Envelope, Invalidation Payload)> InvalidationsTo(FakePeerDp peer) =>
        peer.RequestsTo(FakePeerDp.InvalidatePath).Select(Parse).OfType<(RecordedRequest, CoseSign1, Invalidation)>();

    private async Task ControlAsync(string action, Func<Task<DpResponse>> call)
    {
        var response = Expect.Reachable(await call(), $"test control /{action}");
        if (!TestControlClient.Succeeded(response))
            Expect.NotVerifiable($"test control /{action} answered {response.Describe()}; the timeline cannot be replayed");
    }

    private async Task MoveClockAsync(long atS)
    {
        if (atS <= _offset)
            return;
        await ControlAsync("clock", () => TestControl.AdvanceClockAsync(atS - _offset));
        _offset = atS;
    }

    private Task<TimelineOutcome> PerformAsync(Timeline timeline, TimelineStep step) => step.Action switch
    {
        TimelineStep.Publish => PublishAsync(step, _start + timeline.AssignedAtS(step.Holder!)),
        TimelineStep.Remove => RemoveAsync(step.Request!, step.By == "csip"
            ? MappingBuilder.Removal(ops.Parties, ops.Parties.Csip.Key, SignerRoles.Csip, ops.DpId, _csi, null, "unassigned", Now)
            : MappingBuilder.Removal(ops.Parties, _mappings[step.Mapping!].Key, SignerRoles.Recipient, ops.DpId, _csi, _mappings[step.Mapping!].Id, "user", Now)),
        TimelineStep.Disconnect => RemoveAsync(step.Request!, DisconnectNotice(_start + step.DisconnectedSinceS!.Value, step.Defect)),
        TimelineStep.PeerInvalidate => InvalidateAsync(step.Request!, SignedInvalidation(_start + timeline.AssignedAtS(step.Holder!), step.Signer == "peer", step.Defect)),
        TimelineStep.Replay => SendRawAsync(_requests[step.Request!]),
        TimelineStep.Lookup => LookupAsync(),
        TimelineStep.ExpectBroadcast => BroadcastAsync(step.Mapping!),
        _ => throw new HarnessErrorException($"timeline step \"{step.Action}\" is not supported by this harness"),
    };

    private async Task<TimelineOutcome> PublishAsync(TimelineStep step, long assignedAt)
    {
        var key = ops.Parties.NewRecipientKey();
        var builder = ops.Mapping(_csi, key, [.. step.Tags ?? []]) with { IssuedAt = Now, AssignedAt = assignedAt, NewHolder = step.NewHolder, ValiditySeconds = Validity };
        var (cose, payload) = builder.Build();
        var id = MappingPayload.IdOf(payload.Encode());
        _mappings[step.Mapping!] = (key, id, payload.Nonce, assignedAt);
        _labelByNonce[Convert.ToHexString(payload.Nonce)] = step.Mapping!;
        _labelById[id] = step.Mapping!;
        return Outcome(Expect.Reachable(await ops.PublishAsync(cose), "publish"), removedIds: false);
    }

    /// <summary>The CSIP's disconnect notice (PROFILE.md §12.3), with the step's <see cref="RequestDefect"/> if it names one.</summary>
    private byte[] DisconnectNotice(long since, string? defect) => MappingBuilder.Removal(ops.Parties, ops.Parties.Csip.Key, SignerRoles.Csip, ops.DpId, _csi,
        defect == RequestDefect.WithMappingId ? _mappings.Values.First().Id : null,
        defect == RequestDefect.ReasonUser ? "user" : "unassigned",
        Now, defect == RequestDefect.SinceAfterIat ? Now + 60 : since);

    /// <summary>
    /// A new holder's mapping computed at the peer DP the harness plays, sent inside a signed invalidation (PROFILE.md
    /// §12.5), with the step's <see cref="RequestDefect"/> if it names one.
    /// </summary>
    private byte[] SignedInvalidation(long assignedAt, bool trusted, string? defect)
    {
        var parties = ops.Parties;
        var evidence = (MappingBuilder.For(parties, defect == RequestDefect.EvidenceOtherDp ? OtherDpId : parties.PeerDp.Id,
                defect == RequestDefect.EvidenceOtherCsi ? parties.NewE164() : _csi, parties.NewRecipientKey(), ["default"]) with
            {
                IssuedAt = Now,
                AssignedAt = assignedAt,
                NewHolder = defect != RequestDefect.EvidenceNotNewHolder,
                ValiditySeconds = Validity,
                Issuer = defect == RequestDefect.EvidenceUntrustedCsip ? parties.UntrustedCsip : null,
                SignAsRecipient = defect != RequestDefect.EvidenceForeignRecipient,
                ExtraSigners = defect == RequestDefect.EvidenceForeignRecipient ? [(parties.Stranger, SignerRoles.Recipient)] : [],
            }).Build().Cose;
        var carried = defect switch
        {
            RequestDefect.EvidenceWithoutDpSignature or RequestDefect.EvidenceOtherDp => evidence,
            RequestDefect.EvidenceUntrustedDpSignature => CoseSign.Decode(evidence).AddSignature(parties.Stranger, SignerRoles.Dp).Encode(),
            _ => CoseSign.Decode(evidence).AddSignature(parties.PeerDp.Key, SignerRoles.Dp).Encode(),
        };
        var signed = MappingBuilder.Invalidation(parties, trusted ? parties.PeerDp.Key : parties.Stranger, parties.PeerDp.Id,
            defect == RequestDefect.WrongToDp ? OtherDpId : ops.DpId, _csi,
            defect == RequestDefect.EvidenceOtherAssignment ? assignedAt - 1 : assignedAt, carried,
            defect == RequestDefect.IatAhead ? Now + 2 * ClockSkewSeconds : Now);
        return defect == RequestDefect.NotCose ? CoseSign1.Decode(signed).Payload : signed;
    }

    /// <summary>A DP that is neither the DP under test nor the peer the harness plays.</summary>
    private const string OtherDpId = "mimi://elsewhere.conformance.test";

    private Task<TimelineOutcome> RemoveAsync(string label, byte[] removal) => SendAsync(label, new Sent(dp.Meta.RemovePath, () => dp.Profile.RemoveAsync(removal)));

    private Task<TimelineOutcome> InvalidateAsync(string label, byte[] invalidation) => SendAsync(label, new Sent(dp.Meta.InvalidatePath, () => dp.Profile.InvalidateAsync(invalidation)));

    private Task<TimelineOutcome> SendAsync(string label, Sent sent)
    {
        _requests[label] = sent;
        return SendRawAsync(sent);
    }

    private async Task<TimelineOutcome> SendRawAsync(Sent sent) => Outcome(Expect.Reachable(await sent.Send(), sent.Path), removedIds: true);

    private TimelineOutcome Outcome(DpResponse response, bool removedIds)
    {
        if (response.Status is >= 200 and < 300)
        {
            var labels = !removedIds ? [] : response.Json?["removed"] is JsonArray removed
                ? removed.Select(n => n is JsonValue v && v.TryGetValue<string>(out var id) ? _labelById.GetValueOrDefault(id, $"?{id}") : "?").ToArray()
                : new[] { "(no \"removed\" array)" };
            return new TimelineOutcome(TimelineExpect.Accepted, response.Status, null, labels);
        }
        if (response.Status is >= 400 and < 500)
            return new TimelineOutcome(TimelineExpect.Refused, response.Status, response.IsProblem ? response.Json?["type"]?.ToString() : null, []);
        return new TimelineOutcome($"HTTP {response.Status}", response.Status, null, []);
    }

    /// <summary>
    /// Waits for the DP's invalidation at the fake peer and checks it as a receiving DP would (PROFILE.md §12.5): the
    /// DP's dp signature under its metadata key, both dp_ids, the CSI, the assignment, a fresh iat, and as evidence
    /// the new holder's mapping, verifiable offline. (Whether the evidence carries the DP's countersignature is
    /// PROF-SIG-01's subject: the invalidation's own dp signature already covers the evidence bytes.)
    /// </summary>
    private async Task<TimelineOutcome> BroadcastAsync(string label)
    {
        var peer = _peer ?? throw new HarnessErrorException("no fake peer DP was started");
        var mapping = _mappings[label];
        var waited = Stopwatch.StartNew();
        var found = await WaitForInvalidationAsync(peer, _csi);
        var others = peer.Requests.Count(r => r.Path != FakePeerDp.InvalidatePath && r.Path != FakePeerDp.RegistryPath);
        if (found is not { } arrived)
            return new TimelineOutcome($"no invalidation for the CSI reached the peer within {BroadcastWait.TotalSeconds:0} s ({peer.RequestsTo(FakePeerDp.InvalidatePath).Count} invalidation request(s), {others} other request(s))", null, null, []);
        var (request, envelope, invalidation) = arrived;
        Expect.Observed("broadcast: received", $"POST {FakePeerDp.InvalidatePath} at the fake peer {peer.DpId}",
            $"{request.Method} {request.Path}, {request.Body.Length} bytes after {waited.Elapsed.TotalMilliseconds:0} ms: {Diagnostic(envelope.Payload)}");
        var dpKey = envelope.KeyId is { } kid ? dp.Meta.SigningKeys.FirstOrDefault(k => k.KeyId.AsSpan().SequenceEqual(kid)) : null;
        Expect.That(envelope.Role == SignerRoles.Dp && dpKey is not null && envelope.Verify(dpKey.PublicKey), "broadcast: dp signature",
            "role dp, signed with a key of the DP's metadata signing_keys", $"role {envelope.Role ?? "(none)"}, kid {(dpKey is null ? "not in signing_keys" : "known")}");
        Expect.That(invalidation.FromDp == ops.DpId && invalidation.ToDp == peer.DpId, "broadcast: dp ids", $"from {ops.DpId} to {peer.DpId}", $"from {invalidation.FromDp} to {invalidation.ToDp}");
        Expect.That(invalidation.CsiType == CsiTypes.E164 && invalidation.AssignedAt == mapping.AssignedAt, "broadcast: assignment",
            $"e164, assigned_at {mapping.AssignedAt} (the new holder's)", $"{invalidation.CsiType}, assigned_at {invalidation.AssignedAt}");
        Expect.That(Math.Abs(invalidation.IssuedAt - Now) <= ClockSkewSeconds, "broadcast: fresh", $"iat within {ClockSkewSeconds} s of now ({Now})", $"iat {invalidation.IssuedAt}");
        var v = MappingVerifier.Verify(invalidation.Evidence, ops.Trust, Now, VerificationPolicy.RecipientOnly);
        Expect.That(v.Valid, "broadcast: evidence verifies", "the evidence is a mapping that verifies offline (PROFILE.md §5 rules 1-8)", v.FirstFailure is { } f ? $"{f.Rule}: {f.Detail}" : "valid");
        var p = v.Payload!;
        Expect.That(p.Nonce.AsSpan().SequenceEqual(mapping.Nonce) && p.NewHolder && p.Csi == _csi && p.Dp == ops.DpId, "broadcast: evidence is the new holder's mapping",
            $"{label} (new_holder, for the CSI, computed at {ops.DpId})", $"{_labelByNonce.GetValueOrDefault(Convert.ToHexString(p.Nonce), "another mapping")}, new_holder {(p.NewHolder ? "true" : "false")}, dp {p.Dp}");
        return new TimelineOutcome(TimelineExpect.Sent, null, null, [label]);
    }

    private static (RecordedRequest Request, CoseSign1 Envelope, Invalidation Payload)? Parse(RecordedRequest request)
    {
        try
        {
            if (request.Json?["invalidation"] is not JsonValue value || !value.TryGetValue<string>(out var text) || !B64.TryDecode(text, out var bytes))
                return null;
            var envelope = CoseSign1.Decode(bytes);
            return (request, envelope, Invalidation.Decode(envelope.Payload));
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return null;
        }
    }

    private static string Diagnostic(byte[] cbor) => Mimi.Conformance.Protocol.Cbor.CborDiagnostic.ToDiagnostic(cbor, maxOutputChars: 4000, embeddedCbor: true);

    private async Task<TimelineOutcome> LookupAsync()
    {
        var answer = await ops.LookupAsync(_csi);
        if (answer.FormatProblem is { } problem)
            return new TimelineOutcome($"unusable lookup answer: {problem}", answer.Response.Status, null, []);
        var labels = answer.Mappings.Select(m => _labelByNonce.GetValueOrDefault(m.Key, $"?{m.Key}")).ToArray();
        return new TimelineOutcome(answer.Found ? TimelineExpect.Found : TimelineExpect.NotFound, 200, null, labels);
    }
}
