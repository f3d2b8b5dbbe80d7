using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Federation;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>One mapping a lookup serves. <c>FoundAt</c>: the DPs it was found at (federated lookups; null = only here).</summary>
internal sealed record LookupHit(string MappingId, byte[] Mapping, byte[]? Disclosures = null, IReadOnlyList<string>? FoundAt = null);

/// <summary>PROFILE.md §6.3: every live mapping of a CSI, byte for byte, oldest first.</summary>
internal sealed class LookupService(MappingStore store, TimeProvider time, LivePolicy policy, DpLimits? limits = null)
{
    public static readonly Duty RefuseNonLocalModes = new("lookup.refuse-non-local-modes");
    public static readonly Duty RefuseNonCanonicalCsi = new("lookup.refuse-non-canonical-csi");
    public static readonly Duty ServeEveryMapping = new("lookup.serve-every-mapping");
    public static readonly Duty ApplyMspFilter = new("lookup.apply-msp-filter");
    public static readonly Duty ServeEveryDefault = new("lookup.serve-every-default");
    public static readonly Duty ServeExactBytes = new("lookup.serve-exact-bytes");
    public static readonly Duty DistinguishOptOut = new("lookup.distinguish-opt-out");
    public static readonly Duty StableOrder = new("lookup.stable-order");
    public static readonly Duty OldestFirst = new("lookup.oldest-first");
    public static readonly Duty StatusAfterFilter = new("lookup.status-after-filter");
    public static readonly Duty WithholdUnnamedDisclosures = new("lookup.withhold-unnamed-disclosures");
    public static readonly Duty ExactTagMatch = new("lookup.exact-tag-match");
    public static readonly Duty FixedDisclosureSize = new("lookup.fixed-disclosure-size");
    public static readonly Duty EndLivenessAtExp = new("lookup.end-liveness-at-exp");
    public static readonly Duty CompareTagsAsOctets = new("lookup.compare-tags-as-octets");
    public static readonly Duty AnswerUnknownCsiInFull = new("lookup.answer-unknown-csi-in-full");
    public static readonly Duty SendDisclosuresMember = new("lookup.send-disclosures-member");
    public static readonly Duty ServeNewHoldersAtOnce = new("lookup.serve-new-holders-at-once");

    /// <summary>PROFILE.md §6.3: a DP that does not federate serves mode local alone and refuses any other mode.</summary>
    public void RefuseNonLocalMode(string? mode)
    {
        if (mode is not null and not FederationModes.Local && policy.Performs(RefuseNonLocalModes))
            throw new ProblemException(Problems.MalformedRequest, "this DP does not federate: federation.mode must be local");
    }

    /// <summary>How long a lagging index (fault) hides a new holder's mapping after accepting it.</summary>
    private const long IndexLagSeconds = 60;

    private int _calls;

    public IReadOnlyList<LookupHit> Lookup(string csi, string csiType, string? tag = null, IReadOnlyList<string>? mspFilter = null)
    {
        if (csiType is CsiTypes.E164 or CsiTypes.Email && !Csis.IsValid(csiType, csi) && !policy.Performs(RefuseNonCanonicalCsi))
            csi = new string(csi.Where(c => c is not (' ' or '(' or ')' or '-' or '.')).ToArray());
        if (csiType is not (CsiTypes.E164 or CsiTypes.Email))
            throw new ProblemException(Problems.UnsupportedCsi, $"CSI type \"{Truncate(csiType)}\" is not supported (e164, email)");
        if (!Csis.IsValid(csiType, csi))
            throw new ProblemException(Problems.UnsupportedCsi, $"\"{Truncate(csi)}\" is not a canonical {csiType} CSI");

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var unremoved = store.LiveFor(csi, csiType, long.MinValue);
        // Consulted only when an unremoved mapping has expired, so that the trace sends the fault to the tests that make one.
        IReadOnlyList<StoredMapping> stored = unremoved.Any(m => m.ExpiresAt <= now) && policy.Performs(EndLivenessAtExp) ? [.. unremoved.Where(m => m.ExpiresAt > now)] : unremoved;
        // PROF-LC-01: a DP whose index lags serves a new holder's mapping only a while after it answered the publish.
        if (stored.Any(m => now - m.PublishedAt < IndexLagSeconds && IsNewHolder(m.Cose)) && !policy.Performs(ServeNewHoldersAtOnce))
            stored = [.. stored.Where(m => now - m.PublishedAt >= IndexLagSeconds || !IsNewHolder(m.Cose))];
        IEnumerable<StoredMapping> live = stored;
        if (stored.Count > 1 && !policy.Performs(ServeEveryMapping))
            live = stored.Take(1);
        if (mspFilter is not null && policy.Performs(ApplyMspFilter))
            live = live.Where(m => Msps(m.Cose).Any(e => mspFilter.Contains(e.Msp)));
        if (stored.Count(m => AllDefault(m.Cose)) > 1 && !policy.Performs(ServeEveryDefault))
            live = live.Where((m, i) => !AllDefault(m.Cose) || live.Take(i).All(o => !AllDefault(o.Cose)));
        var hits = live.Select(m => new LookupHit(m.Id, policy.Performs(ServeExactBytes) ? m.Cose : ReEncodePayload(m.Cose), DisclosuresFor(m.Id, tag))).ToArray();
        if (hits.Length > 0 && hits.All(h => IsOptOut(h.Mapping)) && !policy.Performs(DistinguishOptOut))
            return [];
        if (hits.Length > 1 && !policy.Performs(StableOrder) && Interlocked.Increment(ref _calls) % 2 == 0)
            Array.Reverse(hits);
        else if (hits.Length > 1 && !policy.Performs(OldestFirst))
            Array.Reverse(hits);
        return hits;
    }

    /// <summary>PROFILE.md §6.3: <c>status</c> describes the mappings served, after <c>msp_filter</c>.</summary>
    public string StatusOf(IReadOnlyList<LookupHit> served, string csi, string csiType, IReadOnlyList<string>? mspFilter) =>
        served.Count > 0 || mspFilter is not null && store.LiveFor(csi, csiType, time.GetUtcNow().ToUnixTimeSeconds()).Count > 0 && !policy.Performs(StatusAfterFilter)
            ? "found" : "not_found";

    /// <summary>A faulty DP answers a CSI it never held with a bare <c>{"status": "not_found"}</c> (PROF-LU-06, PROF-LU-03).</summary>
    public bool AnswersUnknownBare(IReadOnlyList<LookupHit> served, LookupRequest request) =>
        served.Count == 0 && request is { MspFilter: null, Federation: null } && !store.EverHeld(request.Csi, request.CsiType) && !policy.Performs(AnswerUnknownCsiInFull);

    private static bool IsNewHolder(byte[] mapping) => MappingPayload.Decode(CoseSign.Decode(mapping, strict: false).Payload, strict: false).NewHolder;

    private static bool IsOptOut(byte[] mapping) => MappingPayload.Decode(CoseSign.Decode(mapping, strict: false).Payload, strict: false).Msps.Count == 0;

    private static IReadOnlyList<MspEntry> Msps(byte[] mapping) => MappingPayload.Decode(CoseSign.Decode(mapping).Payload, strict: false).Msps;

    private static bool AllDefault(byte[] mapping) => Msps(mapping) is { Count: > 0 } m && m.All(e => e.Tags is [TagRules.Default]);

    /// <summary>
    /// PROFILE.md §4.4: the fixed-size block carrying the disclosures of exactly the named tag (octet comparison),
    /// and nothing for a general lookup, so the answer has the same fields and sizes whatever the mapping's exact tags.
    /// </summary>
    private byte[]? DisclosuresFor(string mappingId, string? tag)
    {
        var size = (limits ?? DpLimits.Default).DisclosureBytes;
        var stored = store.DisclosuresFor(mappingId);
        // A DP that sends the member only for mappings with exact-only tags (PROF-LU-01; it also tells them apart, PROF-TAG-18).
        if (stored.Count == 0 && !policy.Performs(SendDisclosuresMember))
            return null;
        IReadOnlyList<TagDisclosure> released =
            tag is null && stored.Count > 0 && !policy.Performs(WithholdUnnamedDisclosures) ? stored
            : tag is null ? []
            : [.. stored.Where(d => d.Tag == tag || (tag.Length > 0 && d.Tag.StartsWith(tag, StringComparison.Ordinal) && !policy.Performs(ExactTagMatch))
                || (d.Tag.Equals(tag, StringComparison.OrdinalIgnoreCase) && !policy.Performs(CompareTagsAsOctets)))];
        if (!policy.Performs(FixedDisclosureSize))
        {
            var encoded = TagRules.EncodeList(released);
            return TagRules.EncodeBlock(released, Math.Max(encoded.Length, TagRules.EncodeList(stored).Length));
        }
        return TagRules.EncodeBlock(released, size);
    }

    /// <summary>
    /// Not serving the exact bytes: what a DP that decodes and re-serialises gets wrong. Same keys and values, map keys in
    /// reverse order (not deterministic), signatures untouched, so they no longer verify.
    /// </summary>
    private static byte[] ReEncodePayload(byte[] mapping)
    {
        var cose = CoseSign.Decode(mapping);
        var r = new CborReader(cose.Payload, CborConformanceMode.Lax);
        var n = r.ReadStartMap()!.Value;
        var entries = new List<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)>(n);
        for (var i = 0; i < n; i++)
            entries.Add((r.ReadEncodedValue(), r.ReadEncodedValue()));
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(n);
        for (var i = n - 1; i >= 0; i--)
        {
            w.WriteEncodedValue(entries[i].Key.Span);
            w.WriteEncodedValue(entries[i].Value.Span);
        }
        w.WriteEndMap();
        return (cose with { Payload = w.Encode() }).Encode();
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
