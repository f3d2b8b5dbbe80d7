using System.CommandLine;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Tools;

/// <summary>`vectors generate|check` and `cose verify`: the debugging tools of docs/ARCHITECTURE.md §9.</summary>
public static class ToolCommands
{
    /// <param name="faults">The reference DP's fault catalog, written as vectors/self-test/faults.json.</param>
    public static Command Vectors(FaultCatalog faults)
    {
        var generate = new Command("generate", "Regenerate vectors/mappings, vectors/ed25519, vectors/examples, vectors/self-test/faults.json, PROFILE.md §9 and the rules of vectors/requirements.json deterministically");
        generate.SetAction(_ =>
        {
            var written = VectorFiles.WriteAll(RepositoryLayout.Vectors).Count;
            File.WriteAllText(FaultCatalog.DefaultPath, faults.ToJson());
            written++;
            var profile = ExampleWriter.UpdateProfile(Path.Combine(RepositoryLayout.Vectors, "PROFILE.md"));
            bool rules;
            try
            {
                rules = RuleIndex.Update(RepositoryLayout.Vectors);
            }
            catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"vectors generate: {e.Message}");
                return 2;
            }
            Console.Out.WriteLine($"wrote {written} files under vectors/{(profile ? " and the examples of PROFILE.md §9" : "")}{(rules ? "; rewrote the rules of vectors/requirements.json" : "")}");
            return 0;
        });
        var files = new Argument<string[]>("FILE") { Description = "Vector files (mapping_verify, tag_selection, or Wycheproof eddsa_verify / rsassa_pss_verify schema)", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Run vector files through the harness's verifiers; last line 'N passed, N failed'") { files };
        check.SetAction(parse => Check(parse.GetValue(files) ?? [], Console.Out));
        return new Command("vectors", "Test vectors: generate, check") { generate, check };
    }

    public static int Check(IReadOnlyList<string> files, TextWriter output)
    {
        int passed = 0, failed = 0;
        foreach (var file in files)
        {
            var result = VectorChecker.Check(file);
            foreach (var m in result.Mismatches)
                output.WriteLine($"MISMATCH {m}");
            foreach (var (reason, count) in result.Skipped)
                output.WriteLine($"SKIPPED {count} tests of {file}: unsupported {reason}");
            output.WriteLine($"{file}: {result.Passed} passed, {result.Failed} failed{(result.Skipped.Count > 0 ? $", {result.Skipped.Values.Sum()} skipped" : "")}");
            passed += result.Passed;
            failed += result.Failed;
        }
        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    public static Command Cose()
    {
        var cose = new Option<string>("--cose") { Description = "The COSE_Sign (tag 98) or COSE_Sign1 (tag 18) object, hex", Required = true };
        var key = new Option<string>("--key") { Description = "Raw 32-byte Ed25519 public key, hex", Required = true };
        var aad = new Option<string?>("--aad") { Description = "External AAD, hex (default empty)" };
        var diag = new Option<bool>("--diag") { Description = "Print the object in CBOR diagnostic notation" };
        var verify = new Command("verify", "Verify a COSE_Sign or COSE_Sign1 with an Ed25519 key; says which signature is valid") { cose, key, aad, diag };
        verify.SetAction(parse => Verify(parse.GetValue(cose)!, parse.GetValue(key)!, parse.GetValue(aad), parse.GetValue(diag), Console.Out));
        return new Command("cose", "COSE tools") { verify };
    }

    /// <summary>Exit 0 when at least one signature verifies under the key, 1 when none does, 2 on unusable input.</summary>
    public static int Verify(string coseHex, string keyHex, string? aadHex, bool diag, TextWriter output)
    {
        byte[] bytes, key, aad;
        try
        {
            bytes = Convert.FromHexString(coseHex.Trim());
            key = Convert.FromHexString(keyHex.Trim());
            aad = aadHex is null ? [] : Convert.FromHexString(aadHex.Trim());
        }
        catch (FormatException e)
        {
            output.WriteLine($"error: not hex: {e.Message}");
            return 2;
        }
        if (key.Length != Ed25519.PublicKeySize)
        {
            output.WriteLine($"error: --key must be {Ed25519.PublicKeySize} bytes, got {key.Length}");
            return 2;
        }
        if (diag)
            output.WriteLine(CborDiagnostic.ToDiagnostic(bytes, embeddedCbor: true, indent: true));
        var kid = Convert.ToHexStringLower(KeyIds.For(key));
        try
        {
            if (bytes.Length > 0 && bytes[0] == 0xd2)
            {
                var sign1 = CoseSign1.Decode(bytes);
                var ok = sign1.Verify(key, aad);
                output.WriteLine($"COSE_Sign1: signature {(ok ? "VALID" : "invalid")} (role {sign1.Role ?? "-"}, kid {Hex(sign1.KeyId)}; key kid {kid})");
                return ok ? 0 : 1;
            }
            var sign = CoseSign.Decode(bytes, strict: false);
            var any = false;
            for (var i = 0; i < sign.Signatures.Count; i++)
            {
                var s = sign.Signatures[i];
                var ok = s.Algorithm == CoseSign.EdDsa && Ed25519.Verify(key, sign.ToBeSigned(s.ProtectedBytes, aad), s.Signature);
                any |= ok;
                output.WriteLine($"signature {i}: {(ok ? "VALID" : "invalid")} (role {s.Role ?? "-"}, kid {Hex(s.KeyId)}, alg {s.Algorithm?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"})");
            }
            output.WriteLine(any ? $"COSE_Sign: the key (kid {kid}) made a valid signature" : $"COSE_Sign: no signature verifies under the key (kid {kid})");
            return any ? 0 : 1;
        }
        catch (CoseFormatException e)
        {
            output.WriteLine($"invalid COSE object: {e.Message}");
            return 1;
        }
    }

    private static string Hex(byte[]? b) => b is null ? "-" : Convert.ToHexStringLower(b);
}
