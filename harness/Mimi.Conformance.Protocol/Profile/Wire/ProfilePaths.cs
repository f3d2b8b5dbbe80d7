namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>
/// The default endpoint paths of PROFILE.md §6, §8, §11 and §12.5. A DP may move the §6 ones and then advertises
/// them in metadata <c>endpoints</c>; test control paths hang off the advertised <c>test_control</c> base.
/// </summary>
public static class ProfilePaths
{
    public const string Metadata = ProfileConstants.MetadataPath;
    public const string Publish = "/v1/mappings";
    public const string Lookup = "/v1/lookup";
    public const string Remove = "/v1/mappings/remove";
    public const string Import = "/v1/mappings/import";
    public const string PeerLookup = "/v1/federation/lookup";
    public const string Invalidate = "/v1/federation/invalidate";
    public const string TestControl = "/test-control";

    /// <summary>Test control operations (PROFILE.md §8, §11.2), relative to the <c>test_control</c> base.</summary>
    public static class Control
    {
        public const string Trust = "/trust";
        public const string Reset = "/reset";
        public const string Clock = "/clock";
        public const string Clients = "/clients";
        public const string Peers = "/peers";
        public const string Seed = "/seed";

        /// <summary><paramref name="basePath"/> (as advertised, with or without a trailing slash) joined with an operation.</summary>
        public static string Under(string basePath, string operation) => basePath.TrimEnd('/') + operation;
    }
}
