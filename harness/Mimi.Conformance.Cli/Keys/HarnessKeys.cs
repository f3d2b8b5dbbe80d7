using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Files;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Cli.Keys;

/// <summary>
/// The harness's identity (CSIP, MSP and peer-DP keys) for one run: from a keys file (<c>keys generate</c>, then
/// <c>--keys FILE</c>), so an operator configures trust once, or from the run's seed. What reaches a report is the
/// public half and the exact <c>/trust</c> body an operator configures; a keys file's secret never does.
/// </summary>
internal static class HarnessKeys
{
    public const string Format = "mimi-conformance-keys/1";

    /// <summary>Where <c>keys generate</c> writes by default: the user's data directory, never under reports/.</summary>
    public static string DefaultPath => Path.Combine(UserData.Directory, "harness-keys.json");

    /// <summary>Writes a new keys file (mode 0600); refuses to overwrite one, which an operator may already trust.</summary>
    public static HarnessIdentity Generate(string path)
    {
        if (File.Exists(path))
            throw new ConfigurationException($"{path} exists; the DP may already trust its keys. Use it with --keys, or give another --out");
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var keys = Parties.IdentityKeys(secret);
        var document = new JsonObject
        {
            ["format"] = Format,
            ["secret"] = secret,
            ["trust"] = JsonNode.Parse(TrustBody(keys)),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n")), createOnly: true, ownerOnly: true);
        return Identity(keys, seed: null, keysFile: path);
    }

    /// <summary>The secret of a keys file; every mistake is one line.</summary>
    public static string LoadSecret(string path)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"--keys {path}: no such file (create one with ./run.sh keys generate)");
        try
        {
            var json = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
            if (json?["format"]?.GetValue<string>() != Format || json["secret"]?.GetValue<string>() is not { Length: 64 } secret || !secret.All(Uri.IsHexDigit))
                throw new ConfigurationException($"--keys {path}: not a {Format} keys file (create one with ./run.sh keys generate)");
            return secret;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ConfigurationException($"--keys {path}: not a {Format} keys file (create one with ./run.sh keys generate)");
        }
    }

    /// <summary>The identity a run reports: keys from the keys file's secret, or from the run's seed.</summary>
    public static HarnessIdentity For(ConformanceOptions options, string? keysFile) =>
        Identity(Parties.IdentityKeys(options.IdentitySeed ?? options.Seed), options.IdentitySeed is null ? options.Seed : null, keysFile);

    /// <summary>The keys a DP started with <c>serve-dp --trust FILE</c> trusts: a keys file's public part, or a bare /trust body.</summary>
    public static IReadOnlyList<TrustedKey> LoadTrust(string path)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"--trust {path}: no such file");
        TrustRequest? body;
        try
        {
            var json = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject ?? throw new ConfigurationException($"--trust {path}: not a JSON object");
            var trust = json["format"]?.GetValue<string>() == Format ? json["trust"] : json;
            body = trust?.Deserialize(WireJson.Default.TrustRequest);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ConfigurationException($"--trust {path}: neither a keys file nor a /trust body (PROFILE.md §8)");
        }
        var keys = new List<TrustedKey>();
        void Add(string role, IReadOnlyList<TrustKeyEntry>? entries)
        {
            foreach (var e in entries ?? [])
            {
                if (!B64.TryDecode(e.X, out var key) || key.Length != 32 || string.IsNullOrWhiteSpace(e.Owner))
                    throw new ConfigurationException($"--trust {path}: the {role} key of \"{e.Owner}\" is not a base64url 32-byte Ed25519 key");
                keys.Add(new TrustedKey(role, e.Owner, key));
            }
        }
        Add(SignerRoles.Csip, body?.CsipKeys);
        Add(SignerRoles.Msp, body?.MspKeys);
        Add(SignerRoles.Dp, body?.DpKeys);
        if (keys.Count == 0)
            throw new ConfigurationException($"--trust {path}: no keys in it");
        return keys;
    }

    private static HarnessIdentity Identity(IReadOnlyList<TrustedKey> keys, string? seed, string? keysFile) =>
        new(seed, keysFile, [.. keys.Select(k => new HarnessKey(k.Role, k.Owner, B64.Encode(k.KeyId), B64.Encode(k.PublicKey)))], TrustBody(keys));

    private static string TrustBody(IReadOnlyList<TrustedKey> keys) =>
        JsonSerializer.Serialize(TrustRequest.For(keys), WireJson.Default.TrustRequest);
}

/// <summary>The user's data directory for the suite (XDG_DATA_HOME or ~/.local/share): keys and serve-dp's data live here, never under reports/.</summary>
internal static class UserData
{
    public static string Directory =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "mimi-conformance");
}
