using System.CommandLine;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Reporting;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>`merge DIR... --out DIR`: one report from the shards (or runs) of one DP; exit code as for run.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("runs") { Description = "Run directories (or report.json files) to merge", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Directory for the merged report files", Required = true };
        var cmd = new Command("merge", "Merge the report.json of several runs (e.g. shards) into one report") { dirs, output };
        cmd.SetAction(async (parse, ct) =>
        {
            var reports = parse.GetValue(dirs)!.Select(ReportMerger.ReadRun).ToList();
            var merged = ReportMerger.Merge(reports, TimeProvider.System);
            var dir = Path.GetFullPath(parse.GetValue(output)!);
            ReportWriter.WriteAll(merged, dir);
            await Console.Out.WriteLineAsync($"merged {reports.Count} run(s)");
            await Console.Out.WriteLineAsync(ConformanceRun.SummaryLine(merged));
            await Console.Out.WriteLineAsync($"report: {Path.Combine(dir, HtmlReportWriter.FileName)}");
            if (!merged.Run.Completeness.Complete)
                await Console.Out.WriteLineAsync($"incomplete: {merged.Run.Completeness.Reason}");
            return merged.Summary.ExitCode;
        });
        return cmd;
    }
}
