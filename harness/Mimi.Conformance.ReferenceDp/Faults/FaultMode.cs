namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>One deliberate defect the reference DP can be started with (<c>--fault NAME</c>).</summary>
internal sealed record FaultInfo(string Name, string Description);

/// <summary>
/// The fault catalogue. Each mode breaks exactly one behaviour so the suite's self-test can check that exactly the
/// requirements mapped to it (vectors/self-test/faults.json) fail and nothing else does.
/// </summary>
internal static class FaultMode
{
    public const string AcceptUnsigned = "accept-unsigned";
    public const string AcceptUntrustedPop = "accept-untrusted-pop";
    public const string SkipDpCountersign = "skip-dp-countersign";
    public const string DropSecondMapping = "drop-second-mapping";
    public const string ConflateOptOut = "conflate-opt-out";
    public const string ReEncodePayload = "re-encode-payload";
    public const string IgnoreRemove = "ignore-remove";
    public const string AcceptAnyRemover = "accept-any-remover";
    public const string ServePlainHttp = "serve-plain-http";
    public const string NoTokenRequired = "no-token-required";
    public const string AcceptReusedToken = "accept-reused-token";
    public const string AllowanceNotEnforced = "allowance-not-enforced";
    public const string ExistenceOracle = "existence-oracle";
    public const string FloorTooLow = "floor-too-low";
    public const string IgnoreRetryAfter = "ignore-retry-after";

    /// <summary>Every fault with a one-line description, in a stable order (for --help and the CLI).</summary>
    public static IReadOnlyList<FaultInfo> All { get; } =
    [
        new(AcceptUnsigned, "publish skips the recipient-signature and credential checks (still countersigns and stores)"),
        new(AcceptUntrustedPop, "publish accepts a credential issued by an untrusted CSIP key"),
        new(SkipDpCountersign, "publish stores and returns the mapping without the DP's countersignature"),
        new(DropSecondMapping, "lookup returns only the first live mapping of a CSI"),
        new(ConflateOptOut, "lookup answers not_found when every live mapping of the CSI lists no MSP (opt-out)"),
        new(ReEncodePayload, "lookup serves each mapping with its payload re-encoded in non-canonical key order"),
        new(IgnoreRemove, "remove answers 200 with the mapping ids but removes nothing"),
        new(AcceptAnyRemover, "remove skips signer authorization: any well-formed removal is accepted"),
        new(ServePlainHttp, "the DP listens with plain HTTP (no TLS) and advertises an http:// URL"),
        new(NoTokenRequired, "anonymous lookups are answered without a Privacy Pass token"),
        new(AcceptReusedToken, "lookup skips the double-spend check: a redeemed token is accepted again"),
        new(AllowanceNotEnforced, "the token issuer ignores the per-window allowance"),
        new(ExistenceOracle, "the 401 for a token-less lookup says whether the CSI has mappings"),
        new(FloorTooLow, "anonymous allowance and identified limit are 10 per window (below the floor of 50)"),
        new(IgnoreRetryAfter, "429 answers carry no Retry-After"),
    ];

    public static bool IsKnown(string name) => All.Any(f => f.Name == name);

    /// <summary>The valid names, one per line with descriptions, for error messages.</summary>
    public static string Describe() => string.Join(Environment.NewLine, All.Select(f => $"  {f.Name,-22} {f.Description}"));
}

/// <summary>The faults a running DP was started with.</summary>
internal sealed class FaultSet
{
    private readonly HashSet<string> _active;

    public FaultSet(IEnumerable<string> names)
    {
        _active = [.. names];
        var unknown = _active.Where(n => !FaultMode.IsKnown(n)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown fault mode(s): {string.Join(", ", unknown)}. Valid faults:{Environment.NewLine}{FaultMode.Describe()}", nameof(names));
    }

    public static FaultSet None { get; } = new([]);

    public bool Has(string name) => _active.Contains(name);

    public IReadOnlyCollection<string> Active => _active;
}
