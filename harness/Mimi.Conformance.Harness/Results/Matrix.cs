using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Results;

/// <summary>matrix.json: DP × requirement verdicts for an interop event, plus the DP × DP cross grid.</summary>
public sealed record MatrixDocument(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("suite_version")] string SuiteVersion,
    [property: JsonPropertyName("profile_version")] string ProfileVersion,
    [property: JsonPropertyName("dps")] IReadOnlyList<MatrixDp> Dps,
    [property: JsonPropertyName("requirements")] IReadOnlyList<MatrixRow> Requirements,
    [property: JsonPropertyName("cross")] IReadOnlyList<CrossCell> Cross)
{
    public const string FileName = "matrix.json";
    public const string SchemaId = "mimi-conformance-matrix/1";

    public static JsonSerializerOptions Json { get; } = new() { WriteIndented = true, IndentSize = 2, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>One DP of the matrix and where its full report is.</summary>
public sealed record MatrixDp(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("faults")] IReadOnlyList<string> Faults,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("report")] string Report,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("exit_code")] int ExitCode,
    [property: JsonPropertyName("complete")] bool Complete,
    [property: JsonPropertyName("requirements")] IReadOnlyDictionary<string, int> RequirementCounts);

/// <summary>One requirement across the DPs: verdict per DP name, and the first reason for each non-pass.</summary>
public sealed record MatrixRow(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("verdicts")] IReadOnlyDictionary<string, Verdict> Verdicts,
    [property: JsonPropertyName("reasons")] IReadOnlyDictionary<string, string> Reasons);

/// <summary>
/// A cross-DP cell: a mapping published at <see cref="Publisher"/>, fetched through <see cref="Via"/>, by
/// <see cref="Scenario"/> <c>import</c> (relay, PROFILE.md §6.5) or <c>federation</c> (DP-to-DP lookup, §11).
/// </summary>
public sealed record CrossCell(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("publisher")] string Publisher,
    [property: JsonPropertyName("via")] string Via,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("reason")] string Reason);

public static class MatrixBuilder
{
    public static MatrixDocument Build(IReadOnlyList<(string Name, IReadOnlyList<string> Faults, string ReportPath, ConformanceReport Report)> runs,
        IReadOnlyList<CrossCell> cross, DateTimeOffset now)
    {
        var dps = runs.Select(r => new MatrixDp(r.Name, r.Report.Run.Target, r.Faults, r.Report.Run.Id, r.ReportPath, r.Report.Summary.Verdict.ToWire(),
            r.Report.Summary.ExitCode, r.Report.Run.Completeness.Complete, r.Report.Summary.RequirementCounts)).ToList();
        var ids = runs.SelectMany(r => r.Report.Requirements).Select(r => r.Id).Distinct(StringComparer.Ordinal).ToList();
        var rows = ids.Select(id =>
        {
            var any = runs.Select(r => r.Report.Requirements.FirstOrDefault(x => x.Id == id)).First(x => x is not null)!;
            var verdicts = new Dictionary<string, Verdict>();
            var reasons = new Dictionary<string, string>();
            foreach (var run in runs)
            {
                var result = run.Report.Requirements.FirstOrDefault(x => x.Id == id);
                verdicts[run.Name] = result?.Verdict ?? Verdict.Untested;
                if (result is not null && result.Verdict != Verdict.Pass
                    && result.Tests.FirstOrDefault(t => t.Verdict == result.Verdict)?.Reason is { } reason)
                    reasons[run.Name] = ReportText.OneLine(reason, 300);
            }
            return new MatrixRow(id, any.Title, any.Level, any.Class, verdicts, reasons);
        }).ToList();
        var profile = runs.Count > 0 ? runs[0].Report.Run.ProfileVersion : "the profile";
        return new MatrixDocument(MatrixDocument.SchemaId, now, runs.Count > 0 ? runs[0].Report.Run.SuiteVersion : "", profile, dps, rows, cross);
    }
}
