using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Sender;

/// <summary>One mapping a lookup returned: its stable id and its MSP entries (tags as signed, exact tags as disclosed).</summary>
public sealed record TieBreakCandidate(string MappingId, IReadOnlyList<MspEntry> Msps);

/// <summary>The (mapping, MSP) pair a sender uses to reach the recipient.</summary>
public sealed record TieBreakPick(string MappingId, string Msp);

/// <summary>What a sender persists per recipient CSI and purpose (the tag it looked for, or null for "any").</summary>
public sealed record TieBreakState(string Csi, string? Purpose, string MappingId, string Msp);

/// <summary>The choice, why it was made (<see cref="TieBreak"/> reasons), and the state to persist (null: forget).</summary>
public sealed record TieBreakResult(TieBreakPick? Choice, string Reason, TieBreakState? State);

/// <summary>
/// The sender-side selection rule of PROFILE.md §4.4 (minutes 2024-09-18; -01 body items 4–5) [DISC-M-03, DISC-L-07A]:
/// keep a saved choice while it is still offered, unless the user explicitly asks to re-evaluate; otherwise prefer
/// MSP entries carrying the wanted tag, then defaults (tagged <c>default</c>, or untagged: the implicit default), then
/// any entry; among equals pick the smallest (mapping_id, msp) by ordinal comparison, which does not depend on the
/// order the DP returned, and persist it.
/// </summary>
public static class TieBreak
{
    public const string Saved = "saved";
    public const string Tag = "tag";
    public const string Default = "default";
    public const string Any = "any";
    public const string None = "none";

    public static TieBreakResult Choose(string csi, IReadOnlyList<TieBreakCandidate> candidates, string? purpose, TieBreakState? saved, bool reevaluate)
    {
        var entries = candidates.SelectMany(c => c.Msps.Select(m => (Pick: new TieBreakPick(c.MappingId, m.Msp), m.Tags))).ToArray();
        if (!reevaluate && saved is not null && saved.Csi == csi && saved.Purpose == purpose
            && entries.Any(e => e.Pick.MappingId == saved.MappingId && e.Pick.Msp == saved.Msp))
            return new TieBreakResult(new TieBreakPick(saved.MappingId, saved.Msp), Saved, saved);
        if (entries.Length == 0)
            return new TieBreakResult(null, None, null);

        var (pool, reason) = purpose is not null && entries.Where(e => e.Tags.Contains(purpose)).ToArray() is { Length: > 0 } tagged
            ? (tagged, Tag)
            : entries.Where(e => IsDefault(e.Tags)).ToArray() is { Length: > 0 } defaults
                ? (defaults, Default)
                : (entries, Any);
        var pick = pool.Select(e => e.Pick)
            .OrderBy(p => p.MappingId, StringComparer.Ordinal).ThenBy(p => p.Msp, StringComparer.Ordinal).First();
        return new TieBreakResult(pick, reason, new TieBreakState(csi, purpose, pick.MappingId, pick.Msp));
    }

    /// <summary><c>["default"]</c>, or no tag at all (the implicit default, DISC-L-07).</summary>
    public static bool IsDefault(IReadOnlyList<string> tags) => tags.Count == 0 || (tags.Count == 1 && tags[0] == TagRules.Default);
}
