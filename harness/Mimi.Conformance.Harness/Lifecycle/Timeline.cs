using System.Text.Json.Nodes;

namespace Mimi.Conformance.Harness.Lifecycle;

/// <summary>A CSI holder in a timeline: one CSIP assignment, at <see cref="AssignedAtS"/> seconds from the timeline's start.</summary>
public sealed record TimelineHolder(string Name, long AssignedAtS);

/// <summary>
/// What a step must produce (PROFILE.md §12): <c>accepted</c> (2xx, with the mappings a removal or invalidation
/// removed), <c>refused</c> (one of <see cref="Status"/>, a problem type from <see cref="Problems"/>), <c>found</c> /
/// <c>not_found</c> (a lookup serving exactly <see cref="Mappings"/>), or <c>sent</c> (an invalidation reached the peer).
/// </summary>
public sealed record TimelineExpect(string Result, IReadOnlyList<int>? Status = null, IReadOnlyList<string>? Problems = null,
    IReadOnlyList<string>? Removed = null, IReadOnlyList<string>? Mappings = null)
{
    public const string Accepted = "accepted";
    public const string Refused = "refused";
    public const string Found = "found";
    public const string NotFound = "not_found";
    public const string Sent = "sent";

    /// <summary>
    /// Compares an observed outcome. Sets compare as sets (lookup order is DISC-M-03's subject). A refusal's problem type
    /// is compared only when the answer was problem+json: its format is PROF-ERR-01's subject, not the timeline's.
    /// </summary>
    public (bool Ok, string Expected, string Actual) Matches(TimelineOutcome observed)
    {
        var expected = Describe();
        var ok = observed.Result == Result
            && (Status is null || observed.Status is null || Status.Contains(observed.Status.Value))
            && (Problems is null || observed.Problem is null || Problems.Contains(observed.Problem))
            && (Removed is null || SameSet(Removed, observed.Labels))
            && (Mappings is null || SameSet(Mappings, observed.Labels));
        return (ok, expected, observed.Describe());
    }

    private static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    public string Describe() => Result switch
    {
        Refused => $"refused ({string.Join("/", Status ?? [])}{(Problems is { Count: > 0 } ? " " + string.Join(" or ", Problems.Select(Short)) : "")})",
        Found or NotFound => $"{Result} [{string.Join(", ", Mappings ?? [])}]",
        Accepted when Removed is not null => $"accepted, removed [{string.Join(", ", Removed)}]",
        _ => Result,
    };

    internal static string Short(string problem) => problem[(problem.LastIndexOf(':') + 1)..];

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["result"] = Result };
        if (Status is not null)
            o["status"] = new JsonArray([.. Status.Select(s => (JsonNode)s)]);
        if (Problems is not null)
            o["problems"] = new JsonArray([.. Problems.Select(p => (JsonNode)p)]);
        if (Removed is not null)
            o["removed"] = new JsonArray([.. Removed.Select(p => (JsonNode)p)]);
        if (Mappings is not null)
            o["mappings"] = new JsonArray([.. Mappings.Select(p => (JsonNode)p)]);
        return o;
    }

    public static TimelineExpect FromJson(JsonObject o) => new(
        o["result"]!.GetValue<string>(),
        o["status"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray(),
        Strings(o["problems"]), Strings(o["removed"]), Strings(o["mappings"]));

    internal static string[]? Strings(JsonNode? n) => n?.AsArray().Select(x => x!.GetValue<string>()).ToArray();
}

/// <summary>What a step produced, from the model or from the DP under test; labels name mappings as the timeline does.</summary>
public sealed record TimelineOutcome(string Result, int? Status, string? Problem, IReadOnlyList<string> Labels)
{
    public string Describe() => Result switch
    {
        TimelineExpect.Refused => $"refused ({Status}{(Problem is null ? "" : " " + TimelineExpect.Short(Problem))})",
        TimelineExpect.Found or TimelineExpect.NotFound => $"{Result} [{string.Join(", ", Labels)}]",
        TimelineExpect.Accepted => $"accepted{(Status is { } s ? $" ({s})" : "")}{(Labels.Count > 0 ? $", removed [{string.Join(", ", Labels)}]" : "")}",
        _ => $"{Result}{(Status is { } st ? $" ({st})" : "")}{(Labels.Count > 0 ? $" [{string.Join(", ", Labels)}]" : "")}",
    };
}

/// <summary>
/// One step at <see cref="AtS"/> seconds from the start (the harness moves the DP's clock there with test control).
/// Actions: publish, remove, disconnect, replay, peer_invalidate, lookup, expect_broadcast.
/// </summary>
public sealed record TimelineStep(long AtS, string Action, TimelineExpect Expect)
{
    public const string Publish = "publish";
    public const string Remove = "remove";
    public const string Disconnect = "disconnect";
    public const string Replay = "replay";
    public const string PeerInvalidate = "peer_invalidate";
    public const string Lookup = "lookup";
    public const string ExpectBroadcast = "expect_broadcast";

    /// <summary>publish, peer_invalidate: whose assignment the mapping carries.</summary>
    public string? Holder { get; init; }

    /// <summary>publish: the new mapping's label; remove by recipient: the mapping removed; expect_broadcast: the evidence.</summary>
    public string? Mapping { get; init; }

    public bool NewHolder { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>remove: "recipient" or "csip".</summary>
    public string? By { get; init; }

    /// <summary>remove, disconnect, peer_invalidate: a label for the request, so that replay can send it again.</summary>
    public string? Request { get; init; }

    public long? DisconnectedSinceS { get; init; }

    /// <summary>peer_invalidate: "peer" (a trusted peer DP) or "stranger" (a key nobody trusts).</summary>
    public string? Signer { get; init; }

    /// <summary>disconnect, peer_invalidate: a <see cref="RequestDefect"/> the request carries; null when well-formed.</summary>
    public string? Defect { get; init; }

    /// <summary>expect_broadcast: the fake peer's registry entry lists no endpoints.invalidate, so the default path applies.</summary>
    public bool DefaultInvalidatePath { get; init; }

    public string Describe() => Action switch
    {
        Publish => $"t+{Days(AtS)}: holder {Holder} publishes {Mapping}{(NewHolder ? " with new_holder" : "")}",
        Remove => $"t+{Days(AtS)}: {(By == "csip" ? "the CSIP removes every mapping (reason unassigned)" : $"the recipient removes {Mapping}")} [{Request}]",
        Disconnect => $"t+{Days(AtS)}: the CSIP's disconnect notice, disconnected_since t+{Days(DisconnectedSinceS ?? 0)} [{Request}]",
        Replay => $"t+{Days(AtS)}: the same request {Request} is sent again",
        PeerInvalidate => $"t+{Days(AtS)}: {(Signer == "peer" ? "a trusted peer DP" : "an untrusted key")} sends an invalidation for holder {Holder} [{Request}]",
        Lookup => $"t+{Days(AtS)}: lookup",
        ExpectBroadcast => $"t+{Days(AtS)}: the DP's peers receive an invalidation carrying {Mapping}{(DefaultInvalidatePath ? " (at the default path: the peer's registry entry names no invalidate endpoint)" : "")}",
        _ => Action,
    } + (Defect is null ? "" : $", but {RequestDefect.Get(Defect).Description}") + $" -> {Expect.Describe()}";

    public static string Days(long seconds) => seconds % 86_400 == 0 ? $"{seconds / 86_400}d" : $"{seconds}s";

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["at_s"] = AtS, ["action"] = Action };
        if (Holder is not null)
            o["holder"] = Holder;
        if (Mapping is not null)
            o["mapping"] = Mapping;
        if (Action == Publish)
            o["new_holder"] = NewHolder;
        if (Tags is not null)
            o["tags"] = new JsonArray([.. Tags.Select(t => (JsonNode)t)]);
        if (By is not null)
            o["by"] = By;
        if (Request is not null)
            o["request"] = Request;
        if (DisconnectedSinceS is { } since)
            o["disconnected_since_s"] = since;
        if (Signer is not null)
            o["signer"] = Signer;
        if (Defect is not null)
            o["defect"] = Defect;
        if (DefaultInvalidatePath)
            o["default_invalidate_path"] = true;
        o["expect"] = Expect.ToJson();
        return o;
    }

    public static TimelineStep FromJson(JsonObject o) => new(o["at_s"]!.GetValue<long>(), o["action"]!.GetValue<string>(), TimelineExpect.FromJson(o["expect"]!.AsObject()))
    {
        Holder = o["holder"]?.GetValue<string>(),
        Mapping = o["mapping"]?.GetValue<string>(),
        NewHolder = o["new_holder"]?.GetValue<bool>() ?? false,
        Tags = TimelineExpect.Strings(o["tags"]),
        By = o["by"]?.GetValue<string>(),
        Request = o["request"]?.GetValue<string>(),
        DisconnectedSinceS = o["disconnected_since_s"]?.GetValue<long>(),
        Signer = o["signer"]?.GetValue<string>(),
        Defect = o["defect"]?.GetValue<string>(),
        DefaultInvalidatePath = o["default_invalidate_path"]?.GetValue<bool>() ?? false,
    };
}

/// <summary>
/// A number-lifecycle timeline (vectors/lifecycle/timelines.json): holders with their assignment times and steps
/// with the expected result of each. <see cref="Class"/> is the conformance class the DP must claim for it to apply;
/// <see cref="Rules"/> are the profile rules whose verdict the timeline decides, beside its <see cref="Requirement"/>.
/// </summary>
public sealed record Timeline(int TcId, string Comment, IReadOnlyList<string> Flags, string Requirement, IReadOnlyList<string> Rules, string Class,
    IReadOnlyList<TimelineHolder> Holders, IReadOnlyList<TimelineStep> Steps)
{
    public long AssignedAtS(string holder) => Holders.First(h => h.Name == holder).AssignedAtS;

    /// <summary>The manual procedure for a DP without test control: the steps in words.</summary>
    public string Procedure() =>
        $"holders: {string.Join(", ", Holders.Select(h => $"{h.Name} assigned at t{(h.AssignedAtS >= 0 ? "+" : "-")}{TimelineStep.Days(Math.Abs(h.AssignedAtS))}"))}; " +
        string.Join("; ", Steps.Select((s, i) => $"{i + 1}. {s.Describe()}"));

    public JsonObject ToJson() => new()
    {
        ["tcId"] = TcId,
        ["comment"] = Comment,
        ["flags"] = new JsonArray([.. Flags.Select(f => (JsonNode)f)]),
        ["requirement"] = Requirement,
        ["rules"] = new JsonArray([.. Rules.Select(r => (JsonNode)r)]),
        ["class"] = Class,
        ["holders"] = new JsonArray([.. Holders.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["assigned_at_s"] = h.AssignedAtS })]),
        ["steps"] = new JsonArray([.. Steps.Select(s => (JsonNode)s.ToJson())]),
        ["result"] = "valid",
    };

    public static Timeline FromJson(JsonObject o) => new(
        o["tcId"]!.GetValue<int>(),
        o["comment"]!.GetValue<string>(),
        TimelineExpect.Strings(o["flags"]) ?? [],
        o["requirement"]!.GetValue<string>(),
        TimelineExpect.Strings(o["rules"]) ?? [],
        o["class"]!.GetValue<string>(),
        [.. o["holders"]!.AsArray().Select(h => new TimelineHolder(h!["name"]!.GetValue<string>(), h["assigned_at_s"]!.GetValue<long>()))],
        [.. o["steps"]!.AsArray().Select(s => TimelineStep.FromJson(s!.AsObject()))]);

    /// <summary>Every timeline of a vector file (any number of groups).</summary>
    public static IReadOnlyList<Timeline> ReadAll(JsonObject root) =>
        [.. root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Select(t => FromJson(t!.AsObject()))];
}
