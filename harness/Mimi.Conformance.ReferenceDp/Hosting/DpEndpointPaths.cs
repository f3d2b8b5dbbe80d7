using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// Where the DP serves its endpoints and what metadata <c>endpoints</c> advertises: PROFILE.md §6's defaults, or paths
/// a DP moved (PROF-META-02). Metadata and test control stay where the profile puts them.
/// </summary>
public sealed record DpEndpointPaths(string Publish, string Lookup, string Remove, string Import, string Invalidate, string PeerLookup)
{
    public static DpEndpointPaths Default { get; } = new(ProfilePaths.Publish, ProfilePaths.Lookup, ProfilePaths.Remove, ProfilePaths.Import, ProfilePaths.Invalidate, ProfilePaths.PeerLookup);

    /// <summary>Every default path under <paramref name="prefix"/> (e.g. <c>/mimi</c>: <c>/mimi/v1/lookup</c>).</summary>
    public static DpEndpointPaths Under(string prefix) =>
        new(prefix + ProfilePaths.Publish, prefix + ProfilePaths.Lookup, prefix + ProfilePaths.Remove, prefix + ProfilePaths.Import, prefix + ProfilePaths.Invalidate, prefix + ProfilePaths.PeerLookup);

    internal IReadOnlyList<string> All => [Publish, Lookup, Remove, Import, Invalidate, PeerLookup];

    /// <summary>The reason these paths cannot be served, or null: each absolute, distinct, clear of metadata and test control.</summary>
    internal string? Problem()
    {
        if (All.FirstOrDefault(p => !p.StartsWith('/') || p.Contains('?') || p.Contains('#')) is { } bad)
            return $"endpoint path \"{bad}\" is not an absolute path";
        if (All.Distinct(StringComparer.Ordinal).Count() != All.Count)
            return "two endpoints share one path";
        if (All.FirstOrDefault(p => p == ProfilePaths.Metadata || p == ProfilePaths.TestControl || p.StartsWith(ProfilePaths.TestControl + "/", StringComparison.Ordinal)) is { } taken)
            return $"endpoint path \"{taken}\" is the metadata or test-control path";
        return null;
    }
}
