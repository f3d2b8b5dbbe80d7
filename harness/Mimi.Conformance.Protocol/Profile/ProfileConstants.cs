namespace Mimi.Conformance.Protocol.Profile;

/// <summary>Names fixed by vectors/PROFILE.md. Changing any of these is a profile version change.</summary>
public static class ProfileConstants
{
    public const string Version = "mimi-dp-profile/0.2";
    public const string MetadataPath = "/.well-known/mimi-discovery";
    public const string MappingContentType = "application/mimi-mapping+cbor";
    public const string ProblemContentType = "application/problem+json";

    /// <summary>Allowed clock skew between parties, in seconds.</summary>
    public const long ClockSkewSeconds = 300;

    public static class SignerRoles
    {
        public const string Recipient = "recipient";
        public const string Msp = "msp";
        public const string Dp = "dp";
        public const string Csip = "csip";
    }

    public static class CsiTypes
    {
        public const string E164 = "e164";
        public const string Email = "email";
    }

    /// <summary>RFC 9457 problem type URIs.</summary>
    public static class Problems
    {
        private const string Prefix = "urn:mimi-dp-profile:problem:";
        public const string MalformedRequest = Prefix + "malformed-request";
        public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
        public const string PayloadTooLarge = Prefix + "payload-too-large";
        public const string MethodNotAllowed = Prefix + "method-not-allowed";
        public const string NotFound = Prefix + "not-found";
        public const string InvalidMapping = Prefix + "invalid-mapping";
        public const string InvalidSignature = Prefix + "invalid-signature";
        public const string PopInvalid = Prefix + "pop-invalid";
        public const string WrongDp = Prefix + "wrong-dp";
        public const string Expired = Prefix + "expired";
        public const string Replayed = Prefix + "replayed";
        public const string Conflict = Prefix + "conflict";
        public const string StaleAssignment = Prefix + "stale-assignment";
        public const string Unauthorized = Prefix + "unauthorized";
        public const string UnsupportedCsi = Prefix + "unsupported-csi";
        public const string TestControlDisabled = Prefix + "test-control-disabled";

        // Anti-enumeration class (PROFILE.md §10).
        public const string TokenRequired = Prefix + "token-required";
        public const string InvalidToken = Prefix + "invalid-token";
        public const string RateLimited = Prefix + "rate-limited";
        public const string Unauthenticated = Prefix + "unauthenticated";

        // Peers and federation (PROFILE.md §11).
        public const string PeerUnavailable = Prefix + "peer-unavailable";
    }
}
