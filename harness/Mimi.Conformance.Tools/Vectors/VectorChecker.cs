using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>How one vector file fared: counts and one line per mismatch.</summary>
internal sealed record VectorCheckResult(string File, int Passed, int Failed, IReadOnlyList<string> Mismatches)
{
    /// <summary>Tests this platform cannot run (a hash it lacks), with the reason; never counted as passed.</summary>
    public IReadOnlyDictionary<string, int> Skipped { get; init; } = new Dictionary<string, int>();
}

/// <summary>
/// Runs vector files through the harness's verifiers: our mapping_verify files through <see cref="MappingVerifier"/>,
/// Wycheproof eddsa_verify files through the Ed25519 wrapper. <c>acceptable</c> matches either outcome.
/// </summary>
internal static class VectorChecker
{
    public static VectorCheckResult Check(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            return new VectorCheckResult(path, 0, 1, [$"{path}: cannot read: {e.Message}"]);
        }
        var schema = root["schema"]?.GetValue<string>();
        return schema switch
        {
            VectorFiles.MappingSchema => Run(path, root, CheckMapping),
            VectorFiles.EddsaSchema => Run(path, root, CheckEddsa),
            TagSelectionVectors.Schema => Run(path, root, (_, t) => TagSelectionVectors.Check(t)),
            RsaPssVectorGenerator.Schema or "rsassa_pss_verify_schema_v1.json" => Run(path, root, CheckRsaPss),
            LifecycleVectors.Schema => Run(path, root, (_, t) => LifecycleVectors.Check(t)),
            _ => new VectorCheckResult(path, 0, 1, [$"{path}: unknown schema \"{schema}\" (known: {VectorFiles.MappingSchema}, {VectorFiles.EddsaSchema}, {TagSelectionVectors.Schema}, {RsaPssVectorGenerator.Schema}, {LifecycleVectors.Schema})"]),
        };
    }

    private static VectorCheckResult Run(string path, JsonObject root, Func<JsonObject, JsonObject, (bool Ok, string Actual)> check)
    {
        int passed = 0, failed = 0;
        var mismatches = new List<string>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var declared = root["numberOfTests"]?.GetValue<int>();
        foreach (var group in root["testGroups"]?.AsArray() ?? [])
        {
            foreach (var test in group!["tests"]?.AsArray() ?? [])
            {
                var t = test!.AsObject();
                (bool Ok, string Actual) outcome;
                try
                {
                    outcome = check(group.AsObject(), t);
                }
                catch (NotSupportedException e)
                {
                    skipped[e.Message] = skipped.GetValueOrDefault(e.Message) + 1;
                    continue;
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or JsonException)
                {
                    outcome = (false, $"unreadable test: {e.Message}");
                }
                if (outcome.Ok)
                {
                    passed++;
                }
                else
                {
                    failed++;
                    mismatches.Add($"{Path.GetFileName(path)} tcId {t["tcId"]} ({t["comment"]}): expected {t["result"]}{(t["rule"] is { } r ? $" at rule {r}" : "")}, got {outcome.Actual}");
                }
            }
        }
        var count = passed + failed + skipped.Values.Sum();
        if (declared is { } n && n != count)
        {
            failed++;
            mismatches.Add($"{Path.GetFileName(path)}: numberOfTests is {n} but the file holds {count} tests");
        }
        return new VectorCheckResult(path, passed, failed, mismatches) { Skipped = skipped };
    }

    private static (bool, string) CheckMapping(JsonObject group, JsonObject test)
    {
        var trust = new TrustStore((group["keys"]?.AsArray() ?? []).Select(k => new TrustedKey(
            k!["role"]!.GetValue<string>(), k["owner"]!.GetValue<string>(), Convert.FromHexString(k["publicKey"]!.GetValue<string>()))));
        var policy = group["policy"]?.GetValue<string>() switch
        {
            "joint" => VerificationPolicy.Joint,
            "recipient-only" => VerificationPolicy.RecipientOnly,
            var other => throw new InvalidOperationException($"unknown policy \"{other}\""),
        };
        var now = DateTimeOffset.Parse(test["now"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds();
        var v = MappingVerifier.Verify(Convert.FromHexString(test["mapping"]!.GetValue<string>()), trust, now, policy);
        var actual = v.Valid ? "valid" : $"invalid at rule {v.FirstFailure!.Rule} ({v.FirstFailure.Detail})";
        return (test["result"]!.GetValue<string>() switch
        {
            "valid" => v.Valid,
            "invalid" => !v.Valid && (test["rule"] is not { } rule || rule.GetValue<string>() == v.FirstFailure!.Rule),
            "acceptable" => true,
            var other => throw new InvalidOperationException($"unknown result \"{other}\""),
        }, actual);
    }

    /// <summary>Wycheproof rsassa_pss_verify groups: the key as n/e (older files) or publicKey.modulus/publicExponent.</summary>
    private static (bool, string) CheckRsaPss(JsonObject group, JsonObject test)
    {
        var modulus = group["publicKey"]?["modulus"]?.GetValue<string>() ?? group["n"]?.GetValue<string>()
            ?? throw new InvalidOperationException("the group has no publicKey.modulus or n");
        var exponent = group["publicKey"]?["publicExponent"]?.GetValue<string>() ?? group["e"]?.GetValue<string>()
            ?? throw new InvalidOperationException("the group has no publicKey.publicExponent or e");
        if (group["mgf"]?.GetValue<string>() is { } mgf && mgf != "MGF1")
            throw new NotSupportedException($"mask generation function {mgf}");
        var hash = HashOf(group["sha"]);
        var mgfHash = group["mgfSha"] is { } m ? HashOf(m) : hash;
        var ok = RsaPss.Verify(BlindRsa.ToInt(Convert.FromHexString(modulus)), BlindRsa.ToInt(Convert.FromHexString(exponent)),
            Convert.FromHexString(test["msg"]!.GetValue<string>()), Convert.FromHexString(test["sig"]!.GetValue<string>()),
            hash, mgfHash, group["sLen"]!.GetValue<int>());
        return (Expected(test, ok), ok ? "valid" : "invalid");
    }

    private static HashAlgorithmName HashOf(JsonNode? name)
    {
        var text = name?.GetValue<string>() ?? throw new InvalidOperationException("the group names no hash");
        return RsaPss.HashNamed(text) ?? throw new NotSupportedException($"hash {text} (this platform has no implementation)");
    }

    private static bool Expected(JsonObject test, bool ok) => test["result"]!.GetValue<string>() switch
    {
        "valid" => ok,
        "invalid" => !ok,
        "acceptable" => true,
        var other => throw new InvalidOperationException($"unknown result \"{other}\""),
    };

    private static (bool, string) CheckEddsa(JsonObject group, JsonObject test)
    {
        var pkHex = group["publicKey"]?["pk"]?.GetValue<string>() ?? group["key"]?["pk"]?.GetValue<string>();
        byte[] pk;
        if (pkHex is not null)
            pk = Convert.FromHexString(pkHex);
        else if (group["publicKeyJwk"]?["x"]?.GetValue<string>() is { } x && B64.TryDecode(x, out var fromJwk))
            pk = fromJwk;
        else
            throw new InvalidOperationException("the group has no publicKey.pk, key.pk or publicKeyJwk.x");
        var ok = Ed25519.Verify(pk, Convert.FromHexString(test["msg"]!.GetValue<string>()), Convert.FromHexString(test["sig"]!.GetValue<string>()));
        return (Expected(test, ok), ok ? "valid" : "invalid");
    }
}
