using System.Globalization;
using System.Text.RegularExpressions;
using Mimi.Conformance.Cli.Keys;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Protocol.Profile;

using Mimi.Conformance.ReferenceDp.Faults;
namespace Mimi.Conformance.Cli.Execution;

/// <summary>What `run` was asked to do.</summary>
public sealed record RunRequest(
    DpEndpoint? DpUrl,
    string? CaFile,
    string? Pin,
    string OutputRoot,
    IReadOnlyList<string> Classes,
    IReadOnlyList<string> Only,
    string? Level,
    string FailOn,
    IReadOnlyList<string> Faults,
    bool AllowTestControl,
    TimeSpan RequestTimeout,
    TimeSpan Budget,
    string? Seed,
    string? BaselineFile = null,
    string? WriteBaseline = null,
    Shard? Shard = null,
    IReadOnlyList<string>? TestMethods = null,
    DutyRecorder? Trace = null)
{
    /// <summary>--statement FILE: the operator's declarations (null: none; the embedded DP uses its own).</summary>
    public string? StatementFile { get; init; }

    /// <summary>--accept-not-verifiable ID: gated IDs whose not-verifiable verdict does not make the run incomplete.</summary>
    public IReadOnlyList<string> AcceptNotVerifiable { get; init; } = [];

    /// <summary>--keys FILE: the harness's CSIP, MSP and peer keys come from it, and the DP trusts them by configuration.</summary>
    public string? KeysFile { get; init; }

    /// <summary>--test-control-token: what the DP's test control requires (serve-dp prints it).</summary>
    public string? TestControlToken { get; init; }

    /// <summary>--client-credentials FILE: identified clients the DP's operator issued out of band.</summary>
    public string? ClientCredentialsFile { get; init; }

    /// <summary>Write report.json only: the self-test reads verdicts, and nobody opens its runs' HTML, JUnit or Allure files.</summary>
    public bool JsonOnly { get; init; }

    /// <summary>--compare RUN_DIR: an earlier run the report says what changed since.</summary>
    public string? CompareDir { get; init; }

    /// <summary>--repeat N: the suite runs N times; a test whose repetitions disagree is unstable.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>--fail-on LEVEL,unstable=fail|incomplete: what a gated unstable item makes of the run.</summary>
    public UnstableGate UnstableGate { get; init; } = UnstableGate.Fail;
}

/// <summary>One certification run: target, suite, report. Used by `run`, `self-test` and later `matrix`.</summary>
public static class ConformanceRun
{
    public static async Task<ConformanceReport> ExecuteAsync(RunRequest request, TimeProvider time, TextWriter log, CancellationToken ct, IProgress<TestProgress>? progress = null)
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var started = time.GetUtcNow();
        var runId = $"{started:yyyyMMdd-HHmmss}-{Convert.ToHexString(Guid.NewGuid().ToByteArray()[..2]).ToLowerInvariant()}";
        var selected = Select(catalog, request);
        var baseline = request.BaselineFile is { } baselinePath ? BaselineFile.Load(baselinePath) : null;
        var earlier = request.CompareDir is { } compareDir ? RunComparison.Load(compareDir) : null;
        var statementFile = request.StatementFile ?? (request.DpUrl is null ? RepositoryLayout.ReferenceDpStatement : null);
        var statement = statementFile is null ? null : OperatorStatement.Load(statementFile, catalog);
        var unknownAccepted = request.AcceptNotVerifiable.Where(id => catalog.Find(id) is null && catalog.FindRule(id) is null).ToList();
        if (unknownAccepted.Count > 0)
            throw new ConfigurationException($"--accept-not-verifiable: {string.Join(", ", unknownAccepted)} is not a requirement or rule of the catalog");

        await using var embedded = request.DpUrl is null ? await EmbeddedDp.StartAsync(request.Faults, ct, recorder: request.Trace) : null;
        var options = OptionsFor(request, embedded, $"run-{runId}");

        var claimed = await PreflightAsync(options, time, log, ct);
        var workDir = Path.Combine(request.OutputRoot, runId);
        var outcome = await RepeatAsync(request, options, selected, workDir, time, ct, progress);
        var context = new RunContext(runId, options.DpUrl.ToString(), embedded is null ? "external" : "embedded", options.CaFile, started, time.GetUtcNow(),
            request.FailOn, Filters(request), request.Faults, claimed, selected)
        {
            Seed = options.Seed,
            KeysFile = request.KeysFile,
            Harness = HarnessKeys.For(options, request.KeysFile),
            Statement = statement,
            StatementPath = statementFile,
            Accepted = request.AcceptNotVerifiable.ToHashSet(StringComparer.Ordinal),
            Repeat = request.Repeat,
            UnstableGate = request.UnstableGate,
        };
        var report = ReportBuilder.Build(catalog, context, outcome);
        // No credential the DP handed out, and no secret the harness was given, reaches a file under the output root.
        string[] secrets = [.. SecretRedactor.IssuedCredentials(report), .. options.ClientCredentials, .. new[] { options.IdentitySeed, options.TestControlToken }.OfType<string>()];
        report = SecretRedactor.Redact(report, secrets);
        foreach (var raw in Directory.Exists(Path.Combine(workDir, "raw")) ? Directory.EnumerateFiles(Path.Combine(workDir, "raw"), "*", SearchOption.AllDirectories) : [])
            SecretRedactor.RedactFile(raw, secrets);
        if (request.Shard is { } shard)
            report = report with { Shard = new ShardInfo(shard.Index, shard.Count, [.. selected!.Order(StringComparer.Ordinal)]) };
        if (baseline is not null)
            report = Baseline.Apply(report, baseline, request.BaselineFile!);
        if (earlier is not null)
            report = report with { ChangedSince = RunComparison.Compare(report, earlier) };
        if (request.WriteBaseline is { } writeBaseline)
            BaselineFile.From(report).Save(writeBaseline);
        if (request.JsonOnly)
            ReportWriter.Json.WriteInto(report, workDir);
        else
            ReportWriter.WriteAll(report, workDir);
        UpdateLatest(request.OutputRoot, workDir);
        return report;
    }

    /// <summary>
    /// The suite run <see cref="RunRequest.Repeat"/> times, one after another, within the one budget; each repetition
    /// writes its raw files under raw/ (the first) or raw/repetition-K/. Each repetition has its own seed for CSIs,
    /// recipient keys and nonces (the harness's identity stays the run's, so the DP's trust holds), and, where the
    /// harness may use test control, the DP is reset first, so every repetition starts from what the first saw.
    /// </summary>
    private static async Task<SuiteOutcome> RepeatAsync(RunRequest request, ConformanceOptions options, IReadOnlySet<string>? selected, string workDir, TimeProvider time,
        CancellationToken ct, IProgress<TestProgress>? progress)
    {
        var started = time.GetTimestamp();
        var outcomes = new List<SuiteOutcome>();
        for (var k = 1; k <= request.Repeat; k++)
        {
            var repetition = options;
            if (k > 1)
            {
                await ResetAsync(options, time, ct);
                repetition = options with { Seed = $"{options.Seed}/repetition-{k}", IdentitySeed = options.IdentitySeed ?? options.Seed };
            }
            var left = request.Budget - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                outcomes.Add(new SuiteOutcome(null, $"the budget of {request.Budget.TotalSeconds:0} s ran out before repetition {k}", TimeSpan.Zero));
                continue;
            }
            var raw = k == 1 ? Path.Combine(workDir, "raw") : Path.Combine(workDir, "raw", $"repetition-{k}");
            outcomes.Add(await SuiteRunner.RunAsync(repetition, selected?.ToArray() ?? [], raw, left, ct, progress, request.TestMethods, trace: request.Trace is not null,
                metadataRead: request.Trace is { } recorder ? (test, member) => recorder.RecordFor(test, DutyRecorder.MetadataRead(member)) : null,
                inherits: request.Trace is { } heirs ? heirs.Inherit : null));
        }
        return SuiteRepetitions.Merge(outcomes);
    }

    /// <summary>Test-control reset between repetitions, when the harness may call it (PROFILE.md §8); a DP without it keeps its state, which the fresh CSIs make harmless.</summary>
    private static async Task ResetAsync(ConformanceOptions options, TimeProvider time, CancellationToken ct)
    {
        if (!options.AllowTestControl)
            return;
        using var client = new DpClient(options, time);
        var (profile, _, _) = await ProfileClient.ConnectAsync(client, ct);
        if (profile?.TestControl is { } control)
            await control.ResetAsync(ct);
    }

    /// <summary>How the harness reaches the request's DP (or the embedded one); throws ConfigurationException on bad TLS settings.</summary>
    public static ConformanceOptions OptionsFor(RunRequest request, EmbeddedDp? embedded = null, string defaultSeed = "mimi-conformance") => new ConformanceOptions
    {
        DpUrl = embedded is null ? request.DpUrl! : DpEndpoint.Of(embedded.Url),
        CaFile = embedded?.CertificatePath ?? request.CaFile,
        PinSha256 = embedded is null ? request.Pin : null,
        AllowTestControl = embedded is not null || request.AllowTestControl,
        RequestTimeout = request.RequestTimeout,
        Seed = request.Seed ?? defaultSeed,
        IdentitySeed = request.KeysFile is { } keys ? HarnessKeys.LoadSecret(keys) : null,
        TrustConfigured = request.KeysFile is not null,
        TestControlToken = request.TestControlToken,
        ClientCredentials = request.ClientCredentialsFile is { } credentials ? ClientCredentialsFile.Load(credentials) : [],
    }.Validated();

    /// <summary>Fetches metadata once to learn the claimed classes and to tell an unreachable DP apart early.</summary>
    private static async Task<IReadOnlyList<string>> PreflightAsync(ConformanceOptions options, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        using var client = new DpClient(options, time);
        var response = await client.GetAsync(ProfileConstants.MetadataPath, ct);
        if (response.TransportError is not null)
        {
            await log.WriteLineAsync($"preflight: cannot reach {options.DpUrl}: {response.TransportError}");
            return [];
        }
        return response.Json is { } json ? DpMetadata.Parse(json).ConformanceClasses : [];
    }

    /// <summary>The requirement ids the filters select, or null for all.</summary>
    public static IReadOnlySet<string>? Select(RequirementCatalog catalog, RunRequest request)
    {
        var filtered = SelectByFilters(catalog, request);
        if (filtered is { Count: 0 })
            throw new ConfigurationException($"{string.Join(" ", Filters(request).Select(f => "--" + f.Replace('=', ' ')))} selects no requirement or rule (see the IDs with --list, or vectors/requirements.json)");
        return request.Shard is null ? filtered : request.Shard.Select(filtered ?? catalog.Requirements.Select(r => r.Id));
    }

    private static HashSet<string>? SelectByFilters(RequirementCatalog catalog, RunRequest request)
    {
        if (request.Classes.Count == 0 && request.Only.Count == 0 && request.Level is null)
            return null;
        var globs = request.Only.Select(g => new Regex("^" + Regex.Escape(g).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase)).ToArray();
        bool Matches(string id, string cls, string level) =>
            (request.Classes.Count == 0 || request.Classes.Contains(cls))
            && (globs.Length == 0 || globs.Any(g => g.IsMatch(id)))
            && (request.Level is null || LevelRank(level) <= LevelRank(request.Level.ToUpperInvariant()));
        // Rules select the tests that check them, whatever requirement those are graded under.
        return catalog.Requirements.Where(r => Matches(r.Id, r.Class, r.Level)).Select(r => r.Id)
            .Concat(catalog.Rules.Where(r => Matches(r.Id, r.Class, r.Level)).Select(r => r.Id))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static int LevelRank(string level) => level switch { "MUST" => 0, "SHOULD" => 1, _ => 2 };

    private static List<string> Filters(RunRequest r) =>
        [.. r.Classes.Select(c => $"class={c}"), .. r.Only.Select(o => $"only={o}"), .. r.Level is null ? [] : new[] { $"level={r.Level}" }, .. r.Shard is null ? [] : new[] { $"shard={r.Shard}" }];

    private static void UpdateLatest(string root, string runDir)
    {
        var latest = Path.Combine(root, "latest");
        try
        {
            if (Directory.Exists(latest) || File.Exists(latest))
            {
                var info = new FileInfo(latest);
                if (info.LinkTarget is not null)
                    info.Delete();
                else
                    Directory.Delete(latest, recursive: true);
            }
            Directory.CreateSymbolicLink(latest, Path.GetFileName(runDir));
        }
        catch (IOException)
        {
            // Another run raced us to the link; the run directory itself is complete.
        }
    }

    public static string SummaryLine(ConformanceReport report)
    {
        var c = report.Summary.RequirementCounts;
        string N(string k) => c.GetValueOrDefault(k).ToString(CultureInfo.InvariantCulture);
        return $"{report.Summary.Verdict.ToWire()}: {N("pass")} pass, {N("fail")} fail, {N("warn")} warn, {N("unstable")} unstable, {N("error")} error, {N("declared")} declared, {N("not-verifiable")} not-verifiable, {N("not-applicable")} not-applicable, {N("untested")} untested";
    }
}
