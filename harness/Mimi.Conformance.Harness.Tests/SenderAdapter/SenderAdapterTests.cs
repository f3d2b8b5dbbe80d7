using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Sender;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.SenderAdapter;

/// <summary>
/// The sender adapter protocol end to end (vectors/SENDER-ADAPTER.md): the harness's own adapter and the Node.js one
/// certify; an adapter that exits, writes garbage, hangs or speaks another protocol gets an error per case with the
/// reason and the run goes on; several runs make a matrix with disagreements first. Every sender fault failing
/// exactly its rules is the run.sh test step <c>sender --self-test</c>.
/// </summary>
public sealed class SenderAdapterTests
{
    // Generous: a well-behaved adapter answers in milliseconds; only the hanging case uses a short timeout, and it asserts an error.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static readonly string Cli = Path.Combine(RepositoryLayout.Root, "harness", "Mimi.Conformance.Cli", "bin", "Release", "net10.0", "mimi-conformance.dll");

    private static readonly Lazy<IReadOnlyList<SenderCase>> AllCases = new(() =>
        SenderCases.Load(RepositoryLayout.Vectors, JsonNode.Parse(File.ReadAllText(RepositoryLayout.CatalogPath))!.AsObject()));

    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);

    private static AdapterCommand Self(string? fault = null) =>
        new(fault is null ? "self" : $"self+{fault}", $"dotnet '{Cli}' sender-adapter{(fault is null ? "" : $" --fault {fault}")}");

    private static Task<SenderRunResult> Run(AdapterCommand adapter, IReadOnlyList<SenderCase> cases, TimeSpan? timeout = null) =>
        SenderRun.ExecuteAsync(new SenderRunOptions(adapter, timeout ?? Generous, TimeSpan.FromMinutes(5), ProfileConstants.Version), cases, TimeProvider.System, CancellationToken.None);

    /// <summary>A few cases of every op, the resolve cases last but one: what the misbehaving adapters need.</summary>
    private static IReadOnlyList<SenderCase> Sample() =>
    [
        .. AllCases.Value.Where(c => c.Op == "verify").Take(3),
        .. AllCases.Value.Where(c => c.Op == "resolve").Take(3),
        .. AllCases.Value.Where(c => c.Op == "select").Take(3),
    ];

    [Fact]
    public async Task The_harness_adapter_certifies_and_its_report_has_every_format()
    {
        File.Exists(Cli).Should().BeTrue("./run.sh build builds the CLI");
        var cases = AllCases.Value;
        cases.Select(c => c.Op).Distinct().Should().BeEquivalentTo(["verify", "ed25519", "select", "disclose", "resolve", "lookup"]);
        var result = await Run(Self(), cases);
        result.Cases.Where(c => c.Outcome != Verdict.Pass).Select(c => $"{c.Case.Id}: {c.Reason}").Should().BeEmpty();
        var report = SenderReport.Build(Catalog, result, "t", "must", []);
        report.Summary.Verdict.Should().Be(RunVerdict.Compliant);
        report.Rules.Where(r => r.Class == "sender").Should().OnlyContain(r => r.Verdict == Verdict.Pass && r.Gating == (r.Level == "MUST"), "every sender rule has a case; MUSTs gate under --fail-on must");
        var dir = Directory.CreateTempSubdirectory("mimi-sender-report-");
        try
        {
            ReportWriter.WriteAll(report, dir.FullName);
            foreach (var name in ReportWriter.FileNames)
                File.Exists(Path.Combine(dir.FullName, name)).Should().BeTrue(name);
            JsonNode.Parse(File.ReadAllText(Path.Combine(dir.FullName, ReportJson.FileName)))!["run"]!["target_kind"]!.GetValue<string>().Should().Be("sender-adapter");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_message_of_a_whole_run_matches_its_schema_in_vectors_schemas_sender_adapter()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-adapter-wire-").FullName;
        try
        {
            // The Node.js adapter behind a recorder: what the harness wrote and what the adapter answered, line by line.
            var node = Path.Combine(RepositoryLayout.Root, "adapters", "node", "mimi-sender-adapter.mjs");
            var recorded = new AdapterCommand("node-recorded", $"sh -c 'tee -a \"{dir}/in.jsonl\" | node \"{node}\" | tee -a \"{dir}/out.jsonl\"'");
            var result = await Run(recorded, AllCases.Value);
            result.Cases.Where(c => c.Outcome != Verdict.Pass).Select(c => $"{c.Case.Id}: {c.Reason}").Should().BeEmpty();

            var schemas = Path.Combine(RepositoryLayout.Vectors, "schemas", "sender-adapter");
            var cache = new Dictionary<string, NJsonSchema.JsonSchema>(StringComparer.Ordinal);
            async Task<ICollection<NJsonSchema.Validation.ValidationError>> Validate(string line, string schema)
            {
                if (!cache.TryGetValue(schema, out var s))
                    cache[schema] = s = await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(schemas, schema + ".json"));
                return s.Validate(line);
            }

            var ops = new Dictionary<long, string>();
            var problems = new List<string>();
            var requests = await File.ReadAllLinesAsync(Path.Combine(dir, "in.jsonl"));
            foreach (var line in requests)
            {
                var request = JsonNode.Parse(line)!;
                var op = request["op"]!.GetValue<string>();
                ops[request["id"]!.GetValue<long>()] = op;
                problems.AddRange((await Validate(line, $"{op}-request")).Select(e => $"{op} request: {e}"));
            }
            var responses = await File.ReadAllLinesAsync(Path.Combine(dir, "out.jsonl"));
            foreach (var line in responses)
            {
                var answer = JsonNode.Parse(line)!.AsObject();
                var op = ops[answer["id"]!.GetValue<long>()];
                var schema = answer.ContainsKey("error") ? "error-response" : $"{op}-response";
                problems.AddRange((await Validate(line, schema)).Select(e => $"{op} response: {e}"));
            }

            requests.Select(l => JsonNode.Parse(l)!["op"]!.GetValue<string>()).Distinct().Should().Contain(["handshake", "verify", "select", "disclose", "resolve", "lookup"]);
            responses.Should().HaveCount(requests.Length, "one answer per request");
            problems.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_node_adapter_certifies()
    {
        var result = await Run(new AdapterCommand("node", $"node '{Path.Combine(RepositoryLayout.Root, "adapters", "node", "mimi-sender-adapter.mjs")}'"), AllCases.Value);
        result.Identity!.Language.Should().StartWith("JavaScript");
        result.Cases.Where(c => c.Outcome != Verdict.Pass).Select(c => $"{c.Case.Id}: {c.Reason}").Should().BeEmpty();
        SenderReport.Build(Catalog, result, "t", "must", []).Summary.ExitCode.Should().Be(0);
    }

    [Theory]
    [InlineData("misbehave-exit-on-resolve", "exited with code 3")]
    [InlineData("misbehave-garbage-on-resolve", "garbage on stdout")]
    public async Task An_adapter_that_exits_or_writes_garbage_errs_on_those_cases_only_and_is_restarted(string misbehaviour, string reason)
    {
        var result = await Run(Self(misbehaviour), Sample());
        result.Cases.Where(c => c.Case.Op == "resolve").Should().OnlyContain(c => c.Outcome == Verdict.Error && c.Reason!.Contains(reason, StringComparison.Ordinal));
        result.Cases.Where(c => c.Case.Op != "resolve").Should().OnlyContain(c => c.Outcome == Verdict.Pass, "the adapter is restarted and the run goes on");
        var report = SenderReport.Build(Catalog, result, "t", "must", []);
        report.Summary.Verdict.Should().Be(RunVerdict.Error);
        report.Summary.ExitCode.Should().Be(2);
        report.Rules.Single(r => r.Id == "PROF-AE-08").Tests.Should().OnlyContain(t => t.Verdict == Verdict.Error && t.Reason!.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hanging_adapter_is_stopped_at_the_timeout_and_gets_an_error_never_a_pass()
    {
        var cases = Sample().Where(c => c.Op != "resolve").Take(2).Concat(Sample().Where(c => c.Op == "resolve").Take(1)).Concat(Sample().Where(c => c.Op == "select").Take(1)).ToArray();
        var result = await Run(Self("misbehave-hang-on-resolve"), cases, TimeSpan.FromSeconds(3));
        result.Cases.Single(c => c.Case.Op == "resolve").Should().Match<CaseResult>(c => c.Outcome == Verdict.Error && c.Reason!.Contains("no answer within 3000 ms", StringComparison.Ordinal));
        result.Cases.Where(c => c.Case.Op != "resolve").Should().OnlyContain(c => c.Outcome == Verdict.Pass);
    }

    [Fact]
    public async Task An_adapter_of_another_protocol_version_gets_errors_with_the_reason_after_three_starts()
    {
        var result = await Run(Self("misbehave-wrong-protocol"), Sample());
        result.Identity.Should().BeNull();
        result.Cases.Should().OnlyContain(c => c.Outcome == Verdict.Error && c.Reason!.Contains("mimi-sender-adapter/0", StringComparison.Ordinal));
        result.Cases.Skip(3).Should().OnlyContain(c => c.Reason!.StartsWith("not run: the adapter failed to start 3 times", StringComparison.Ordinal));
        var report = SenderReport.Build(Catalog, result, "t", "must", []);
        report.Run.Completeness.Complete.Should().BeFalse();
        report.Summary.ExitCode.Should().Be(2);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_an_error_per_case_not_a_crash()
    {
        var result = await Run(new AdapterCommand("missing", "/nonexistent/mimi-adapter"), Sample().Take(4).ToArray());
        result.Cases.Should().HaveCount(4).And.OnlyContain(c => c.Outcome == Verdict.Error);
        result.Cases[0].Reason.Should().Contain("exited with code 127");
    }

    [Fact]
    public async Task A_matrix_lists_the_rules_implementations_disagree_on_first()
    {
        var cases = AllCases.Value.Where(c => c.Op is "select" or "resolve").ToArray();
        var clean = SenderReport.Build(Catalog, await Run(Self(), cases), "t", "must", ["only=select,resolve"]);
        var broken = SenderReport.Build(Catalog, await Run(Self("origin-relative"), cases), "t", "must", ["only=select,resolve"]);
        var matrix = SenderMatrix.Build([("a", "a/report.json", clean), ("b", "b/report.json", broken)]);
        matrix["disagreements"]!.GetValue<int>().Should().Be(1);
        var first = matrix["rules"]!.AsArray()[0]!;
        first["id"]!.GetValue<string>().Should().Be("PROF-AE-08");
        first["verdicts"]!["a"]!.GetValue<string>().Should().Be("pass");
        first["verdicts"]!["b"]!.GetValue<string>().Should().Be("fail");
        matrix["rules"]!.AsArray().Skip(1).Should().OnlyContain(r => r!["agree"]!.GetValue<bool>());
        var dir = Directory.CreateTempSubdirectory("mimi-sender-matrix-");
        try
        {
            SenderMatrix.Write(matrix, dir.FullName);
            File.ReadAllText(Path.Combine(dir.FullName, SenderMatrix.HtmlFile)).Should().Contain("PROF-AE-08");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
