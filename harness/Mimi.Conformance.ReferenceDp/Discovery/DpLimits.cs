namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>The limits the DP advertises in metadata and enforces (PROFILE.md §1, §6.1).</summary>
internal sealed record DpLimits(int MaxBodyBytes, int MaxMsps, int MaxTags, int MaxTagBytes, int DisclosureBytes = 1024)
{
    public static DpLimits Default { get; } = new(65_536, 32, 16, 256, 1024);
}
