using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Lifecycle;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
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

    private sealed record Sent(string Path, JsonObject Body);

    private readonly Dictionary<string, (SigningKey Key, string Id)> _mappings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelByNonce = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sent> _requests = new(StringComparer.Ordinal);
    private long _offset;
    private long _start;
    private string _csi = "";

    /// <summary>The harness's clock, moved with the DP's.</summary>
    private long Now => ops.Parties.Now + _offset;

    private string TestControl => dp.Meta.TestControlPath!.TrimEnd('/');

    public async Task RunAsync(Timeline timeline)
    {
        if (timeline.Class != "core" && !dp.Meta.ConformanceClasses.Contains(timeline.Class))
            Expect.NotApplicable($"the DP does not claim the {timeline.Class} class");
        var manual = $"replay it by hand on a deployment that trusts the harness's CSIP and whose clock can be moved: {timeline.Procedure()}";
        if (dp.Meta.TestControlPath is null)
            Expect.NotVerifiable($"the timeline moves the DP's clock and resets it, which needs test control (PROFILE.md §8); {manual}");
        if (dp.Options is not { AllowTestControl: true })
            Expect.NotVerifiable($"test control is offered but not allowed for this target (pass --allow-test-control); {manual}");
        dp.RequirePublishing();
        Expect.Observed("timeline", $"tcId {timeline.TcId}: {timeline.Comment}", timeline.Procedure());
        await ControlAsync("reset", new JsonObject());
        await dp.ReestablishTrustAsync();
        dp.RequirePublishing();
        try
        {
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
            await ControlAsync("reset", new JsonObject());
            await dp.ReestablishTrustAsync();
        }
    }

    private async Task ControlAsync(string action, JsonObject body)
    {
        var response = Expect.Reachable(await dp.Client.PostJsonAsync($"{TestControl}/{action}", body), $"test control /{action}");
        if (response.Status is not (200 or 204))
            Expect.NotVerifiable($"test control /{action} answered {response.Describe()}; the timeline cannot be replayed");
    }

    private async Task MoveClockAsync(long atS)
    {
        if (atS <= _offset)
            return;
        await ControlAsync("clock", new JsonObject { ["advance_s"] = atS - _offset });
        _offset = atS;
    }

    private Task<TimelineOutcome> PerformAsync(Timeline timeline, TimelineStep step) => step.Action switch
    {
        TimelineStep.Publish => PublishAsync(step, _start + timeline.AssignedAtS(step.Holder!)),
        TimelineStep.Remove => SendAsync(step.Request!, dp.Meta.RemovePath, "removal", step.By == "csip"
            ? MappingBuilder.Removal(ops.Parties, ops.Parties.Csip.Key, SignerRoles.Csip, ops.DpId, _csi, null, "unassigned", Now)
            : MappingBuilder.Removal(ops.Parties, _mappings[step.Mapping!].Key, SignerRoles.Recipient, ops.DpId, _csi, _mappings[step.Mapping!].Id, "user", Now)),
        TimelineStep.Disconnect => SendAsync(step.Request!, dp.Meta.RemovePath, "removal",
            MappingBuilder.Removal(ops.Parties, ops.Parties.Csip.Key, SignerRoles.Csip, ops.DpId, _csi, null, "unassigned", Now, _start + step.DisconnectedSinceS!.Value)),
        TimelineStep.PeerInvalidate => SendAsync(step.Request!, dp.Meta.InvalidatePath, "invalidation", Invalidation(_start + timeline.AssignedAtS(step.Holder!), step.Signer == "peer")),
        TimelineStep.Replay => SendRawAsync(_requests[step.Request!]),
        TimelineStep.Lookup => LookupAsync(),
        _ => throw new HarnessErrorException($"timeline step \"{step.Action}\" is not supported by this harness"),
    };

    private async Task<TimelineOutcome> PublishAsync(TimelineStep step, long assignedAt)
    {
        var key = ops.Parties.NewRecipientKey();
        var builder = ops.Mapping(_csi, key, [.. step.Tags ?? []]) with { IssuedAt = Now, AssignedAt = assignedAt, NewHolder = step.NewHolder, ValiditySeconds = Validity };
        var (cose, payload) = builder.Build();
        var id = MappingPayload.IdOf(payload.Encode());
        _mappings[step.Mapping!] = (key, id);
        _labelByNonce[Convert.ToHexString(payload.Nonce)] = step.Mapping!;
        _labelById[id] = step.Mapping!;
        return Outcome(Expect.Reachable(await ops.PublishAsync(cose), "publish"), removedIds: false);
    }

    /// <summary>A new holder's mapping computed at the peer DP the harness plays, sent inside a signed invalidation.</summary>
    private byte[] Invalidation(long assignedAt, bool trusted)
    {
        var parties = ops.Parties;
        var evidence = (MappingBuilder.For(parties, parties.PeerDp.Id, _csi, parties.NewRecipientKey(), ["default"])
            with { IssuedAt = Now, AssignedAt = assignedAt, NewHolder = true, ValiditySeconds = Validity }).Build().Cose;
        var countersigned = CoseSign.Decode(evidence).AddSignature(parties.PeerDp.Key, SignerRoles.Dp).Encode();
        return MappingBuilder.Invalidation(parties, trusted ? parties.PeerDp.Key : parties.Stranger, parties.PeerDp.Id, ops.DpId, _csi, assignedAt, countersigned, Now);
    }

    private Task<TimelineOutcome> SendAsync(string label, string path, string member, byte[] signed)
    {
        var sent = new Sent(path, new JsonObject { [member] = B64.Encode(signed) });
        _requests[label] = sent;
        return SendRawAsync(sent);
    }

    private async Task<TimelineOutcome> SendRawAsync(Sent sent) =>
        Outcome(Expect.Reachable(await dp.Client.PostJsonAsync(sent.Path, sent.Body.DeepClone()), sent.Path), removedIds: true);

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

    private async Task<TimelineOutcome> LookupAsync()
    {
        var answer = await ops.LookupAsync(_csi);
        if (answer.FormatProblem is { } problem)
            return new TimelineOutcome($"unusable lookup answer: {problem}", answer.Response.Status, null, []);
        var labels = answer.Mappings.Select(m => _labelByNonce.GetValueOrDefault(m.Key, $"?{m.Key}")).ToArray();
        return new TimelineOutcome(answer.Found ? TimelineExpect.Found : TimelineExpect.NotFound, 200, null, labels);
    }
}
