using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>Test control (PROFILE.md §8), only on test deployments: trust harness keys, reset, move the clock, bulk-seed.</summary>
internal sealed class TestControlEndpoints(DpTrust trust, MappingStore store, AdjustableClock clock, DpLimits limits, DpIdentity identity, Action? onReset = null, LivePolicy? policy = null)
{
    public static readonly Duty ResetForgetsMappings = new("test-control.reset-forgets-mappings");
    public static readonly Duty BoundClockAdvance = new("test-control.bound-clock-advance");
    public static readonly Duty AnswerTrustWith204 = new("test-control.answer-trust-with-204");

    private const int MaxOwnerLength = 256;
    private const int MaxKeysPerCall = 256;

    /// <summary>Far enough for any validity window the suite tests, small enough that no timestamp overflows.</summary>
    private const long MaxAdvanceSeconds = 100L * 366 * 86_400;

    public IEnumerable<DpRoute> Routes =>
    [
        new(ProfilePaths.Control.Under(Paths.TestControl, ProfilePaths.Control.Trust), new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = TrustAsync }),
        new(ProfilePaths.Control.Under(Paths.TestControl, ProfilePaths.Control.Reset), new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = ResetAsync }),
        new(ProfilePaths.Control.Under(Paths.TestControl, ProfilePaths.Control.Clock), new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = ClockAsync }),
        new(ProfilePaths.Control.Under(Paths.TestControl, ProfilePaths.Control.Seed), new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = SeedAsync }),
    ];

    /// <summary>Optional extension (PROFILE.md §8): N synthetic countersigned rows in one transaction, for scale benchmarks.</summary>
    private async Task SeedAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadControlJsonAsync(ctx, DpJson.Default.SeedRequest, limits.MaxBodyBytes);
        if (request.Count is < 1 or > SyntheticMappings.MaxCount)
            throw new ProblemException(Problems.MalformedRequest, $"count must be between 1 and {SyntheticMappings.MaxCount}");
        var csis = SyntheticMappings.Csis(request.CsiPrefix, request.Count);
        if (!Csis.IsValid(CsiTypes.E164, csis[0]) || !Csis.IsValid(CsiTypes.E164, csis[^1]))
            throw new ProblemException(Problems.MalformedRequest, $"csi_prefix + a {csis[^1].Length - request.CsiPrefix.Length}-digit index must be a canonical e164 CSI (e.g. \"+1999\")");
        var started = clock.GetTimestamp();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var cose = SyntheticMappings.Build(identity, csis[0], now);
        var inserted = store.Seed(csis, SyntheticMappings.IdOf, CsiTypes.E164, cose, now, now + (7 * 86_400));
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK,
            new SeedResponse(inserted, csis[0], csis[^1], store.SizeOnDisk(), Math.Round(clock.GetElapsedTime(started).TotalMilliseconds, 1)), DpJson.Default.SeedResponse);
    }

    private async Task TrustAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadControlJsonAsync(ctx, DpJson.Default.TrustRequest, limits.MaxBodyBytes);
        var csip = request.CsipKeys ?? [];
        var msp = request.MspKeys ?? [];
        var dps = request.DpKeys ?? [];
        if (csip.Count + msp.Count + dps.Count > MaxKeysPerCall)
            throw new ProblemException(Problems.MalformedRequest, $"at most {MaxKeysPerCall} keys per call");
        TrustedKey[] keys = [.. csip.Select(k => Key(SignerRoles.Csip, k, "csip_keys")), .. msp.Select(k => Key(SignerRoles.Msp, k, "msp_keys")), .. dps.Select(k => Key(SignerRoles.Dp, k, "dp_keys"))];
        trust.Add(keys);
        if (policy?.Performs(AnswerTrustWith204) == false)
        {
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        await Replies.NoContent(ctx);
    }

    private Task ResetAsync(HttpContext ctx)
    {
        if (policy?.Performs(ResetForgetsMappings) != false)
            store.Reset();
        trust.Reload();
        clock.Reset();
        onReset?.Invoke();
        return Replies.NoContent(ctx);
    }

    private async Task ClockAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadControlJsonAsync(ctx, DpJson.Default.ClockRequest, limits.MaxBodyBytes);
        if (request.AdvanceS is < 0 or > MaxAdvanceSeconds && policy?.Performs(BoundClockAdvance) != false)
            throw new ProblemException(Problems.MalformedRequest, $"advance_s must be between 0 and {MaxAdvanceSeconds}");
        clock.Advance(TimeSpan.FromSeconds(request.AdvanceS));
        await Replies.NoContent(ctx);
    }

    private static TrustedKey Key(string role, TrustKeyEntry entry, string field)
    {
        if (string.IsNullOrEmpty(entry.Owner) || entry.Owner.Length > MaxOwnerLength)
            throw new ProblemException(Problems.MalformedRequest, $"{field}: owner must be a non-empty string of at most {MaxOwnerLength} characters");
        var x = RequestBody.Base64Url(entry.X, $"{field}[].x");
        if (x.Length != Ed25519.PublicKeySize)
            throw new ProblemException(Problems.MalformedRequest, $"{field}: x must be a {Ed25519.PublicKeySize}-byte Ed25519 public key");
        return new TrustedKey(role, entry.Owner, x);
    }
}
