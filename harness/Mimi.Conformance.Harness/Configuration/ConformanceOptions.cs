using System.Globalization;

namespace Mimi.Conformance.Harness.Configuration;

/// <summary>
/// Everything a run needs to reach the DP under test. Immutable and validated once; filled from CLI flags and
/// MIMI_* environment variables (flags win). The table in README.md documents every variable.
/// </summary>
public sealed record ConformanceOptions
{
    public const string DpUrlVariable = "MIMI_DP_URL";
    public const string CaFileVariable = "MIMI_DP_CA";
    public const string PinVariable = "MIMI_DP_PIN";
    public const string TimeoutVariable = "MIMI_TIMEOUT_MS";
    public const string AllowTestControlVariable = "MIMI_ALLOW_TEST_CONTROL";
    public const string SeedVariable = "MIMI_SEED";
    public const string MaxBodyVariable = "MIMI_MAX_BODY_BYTES";
    public const string IdentitySeedVariable = "MIMI_IDENTITY_SEED";
    public const string TrustConfiguredVariable = "MIMI_TRUST_CONFIGURED";
    public const string TestControlTokenVariable = "MIMI_TEST_CONTROL_TOKEN";
    public const string ClientCredentialsVariable = "MIMI_CLIENT_CREDENTIALS";

    /// <summary>The DP under test, validated where the URL entered (flag, variable or a started DP).</summary>
    public required DpEndpoint DpUrl { get; init; }

    /// <summary>PEM file of the certificate (or CA) the DP's TLS chain must end in; null means the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>SHA-256 of the DP's leaf certificate, hex; replaces chain validation when set.</summary>
    public string? PinSha256 { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool AllowTestControl { get; init; }

    public string Seed { get; init; } = "mimi-conformance";

    /// <summary>The secret of a keys file (--keys): the CSIP, MSP and peer keys the DP trusts come from it. Never reported.</summary>
    public string? IdentitySeed { get; init; }

    /// <summary>The operator configured the DP to trust the keys file's keys out of band (--keys): publish without test control.</summary>
    public bool TrustConfigured { get; init; }

    /// <summary>The token a DP's test control wants (serve-dp prints it), sent as Mimi-Test-Control-Token. Never reported.</summary>
    public string? TestControlToken { get; init; }

    /// <summary>
    /// Identified-client credentials the DP's operator issued out of band (--client-credentials), used one per fresh
    /// client when test control cannot register one (PROFILE.md §10.1). Never reported.
    /// </summary>
    public IReadOnlyList<string> ClientCredentials { get; init; } = [];

    /// <summary>Largest response body the harness reads; anything beyond is cut and reported.</summary>
    public int MaxResponseBytes { get; init; } = 1 << 20;

    /// <summary>Builds options from the environment, or explains in one line what is wrong.</summary>
    public static ConformanceOptions FromEnvironment(Func<string, string?>? getenv = null)
    {
        getenv ??= Environment.GetEnvironmentVariable;
        var url = getenv(DpUrlVariable);
        if (string.IsNullOrWhiteSpace(url))
            throw new ConfigurationException($"{DpUrlVariable} is not set: give the DP's base URL, e.g. https://127.0.0.1:8443");
        var options = new ConformanceOptions
        {
            DpUrl = DpEndpoint.Parse(url, DpUrlVariable),
            CaFile = NullIfEmpty(getenv(CaFileVariable)),
            PinSha256 = NullIfEmpty(getenv(PinVariable)),
            AllowTestControl = getenv(AllowTestControlVariable) is "1" or "true",
            Seed = NullIfEmpty(getenv(SeedVariable)) ?? "mimi-conformance",
            IdentitySeed = NullIfEmpty(getenv(IdentitySeedVariable)),
            TrustConfigured = getenv(TrustConfiguredVariable) is "1" or "true",
            TestControlToken = NullIfEmpty(getenv(TestControlTokenVariable)),
            ClientCredentials = (getenv(ClientCredentialsVariable) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries),
        };
        if (getenv(TimeoutVariable) is { Length: > 0 } t)
            options = options with { RequestTimeout = TimeSpan.FromMilliseconds(ParsePositive(t, TimeoutVariable)) };
        if (getenv(MaxBodyVariable) is { Length: > 0 } m)
            options = options with { MaxResponseBytes = ParsePositive(m, MaxBodyVariable) };
        return options.Validated();
    }

    public ConformanceOptions Validated()
    {
        if (CaFile is not null && !File.Exists(CaFile))
            throw new ConfigurationException($"the CA file {CaFile} does not exist");
        if (PinSha256 is not null && (PinSha256.Length != 64 || !PinSha256.All(Uri.IsHexDigit)))
            throw new ConfigurationException("the pin must be 64 hex digits (SHA-256 of the DP's certificate)");
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
            throw new ConfigurationException("the request timeout must be between 1 ms and 5 minutes");
        if (ClientCredentials.Any(c => c.Length is 0 or > 4096 || c.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch))))
            throw new ConfigurationException("a client credential must be 1 to 4096 characters without spaces or control characters (one per line)");
        return this;
    }

    /// <summary>The variables a child process (the suite) needs to rebuild these options.</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment() => new Dictionary<string, string>
    {
        [DpUrlVariable] = DpUrl.ToString(),
        [CaFileVariable] = CaFile ?? "",
        [PinVariable] = PinSha256 ?? "",
        [TimeoutVariable] = ((long)RequestTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        [AllowTestControlVariable] = AllowTestControl ? "1" : "0",
        [SeedVariable] = Seed,
        [MaxBodyVariable] = MaxResponseBytes.ToString(CultureInfo.InvariantCulture),
        [IdentitySeedVariable] = IdentitySeed ?? "",
        [TrustConfiguredVariable] = TrustConfigured ? "1" : "0",
        [TestControlTokenVariable] = TestControlToken ?? "",
        [ClientCredentialsVariable] = string.Join('\n', ClientCredentials),
    };

    private static int ParsePositive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ConfigurationException($"{name} must be a positive integer");

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary>The run is misconfigured; the message says what to change. Maps to exit code 2.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
