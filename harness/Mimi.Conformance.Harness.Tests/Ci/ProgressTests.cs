using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Commands;
using Mimi.Conformance.Cli.Execution;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>Progress: the suite's JSON reporter stream becomes one event per finished test; plain lines off a terminal or on CI.</summary>
public sealed class ProgressTests
{
    private const string Stream = """
        {"$type":"discovery-complete","AssemblyUniqueID":"a","TestCasesToRun":2}
        [37m{"$type":"test-case-starting","TestCaseUniqueID":"c1","TestCaseDisplayName":"Mimi.Conformance.Suite.Removal.RemovalTests.Removed_mapping_is_gone","Traits":{"Requirement":["DISC-R-09"]}}
        {"$type":"test-case-starting","TestCaseUniqueID":"c2","TestCaseDisplayName":"Mimi.Conformance.Suite.Metadata.MetadataTests.Metadata(x: 1)","Traits":{"Requirement":["PROF-META-01"]}}
        {"$type":"test-passed","TestCaseUniqueID":"c2","ExecutionTime":0.1}
        [0m{"$type":"test-failed","TestCaseUniqueID":"c1","Messages":["gone-after: expected not_found"],"ExceptionTypes":["Mimi.Conformance.Harness.Results.ConformanceFailure"]}
        not json at all
        {"$type":"test-assembly-finished","TestsTotal":2,"TestsFailed":1,"TestsSkipped":0,"TestsNotRun":0}
        """;

    [Fact]
    public void Parser_reports_each_finished_test_with_its_requirement_and_writes_a_readable_log()
    {
        var parser = new SuiteProgressParser();
        var results = Stream.Split('\n').Select(parser.Parse).ToList();

        var progress = results.Select(r => r.Progress).OfType<TestProgress>().ToList();
        progress.Should().HaveCount(2);
        progress[0].Should().Be(new TestProgress("PROF-META-01", "Mimi.Conformance.Suite.Metadata.MetadataTests.Metadata(x: 1)", "pass", null, 1, 2));
        progress[1].Requirement.Should().Be("DISC-R-09");
        progress[1].Outcome.Should().Be("fail");
        progress[1].Failed.Should().Be(1, "the line carries a running count");
        progress[1].Message.Should().Be("gone-after: expected not_found");
        var log = results.Select(r => r.LogLine).OfType<string>().ToList();
        log.Should().Contain(l => l.StartsWith("[FAIL] DISC-R-09 ", StringComparison.Ordinal));
        log.Should().Contain("not json at all");
        log.Should().Contain(l => l.StartsWith("finished: 2 total, 1 failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, null, true)]
    [InlineData(false, "true", true)]
    [InlineData(false, "1", true)]
    [InlineData(false, null, false)]
    [InlineData(false, "false", false)]
    public void Plain_lines_when_stdout_is_not_a_terminal_or_on_ci(bool redirected, string? ci, bool plain)
    {
        ProgressDisplay.PlainMode(redirected, ci).Should().Be(plain);
    }

    [Fact]
    public void Plain_progress_writes_one_line_per_test_led_by_the_requirement()
    {
        var output = new StringWriter { NewLine = "\n" };
        var sink = new ProgressDisplay.PlainProgress(output);

        sink.Report(new TestProgress("DISC-R-09", "Mimi.Conformance.Suite.Removal.RemovalTests.Removed_mapping_is_gone", "fail", "x", 3, 12));
        sink.Report(new TestProgress(null, "Other", "pass", null, 4, 12));

        output.ToString().Should().Be("[ 3/12] fail           DISC-R-09      Removed mapping is gone   0 fail, 0 error\n[ 4/12] pass           -              Other   0 fail, 0 error\n");
    }

    [Fact]
    public void Skips_and_harness_errors_use_the_reports_words_and_theory_rows_keep_their_arguments()
    {
        var parser = new SuiteProgressParser();
        string[] stream =
        [
            """{"$type":"test-case-starting","TestCaseUniqueID":"c1","TestCaseDisplayName":"S.T.Rows","Traits":{"Requirement":["DISC-R-01"]}}""",
            """{"$type":"test-skipped","TestCaseUniqueID":"c1","TestDisplayName":"S.T.Rows(kind: \"a\")","Reason":"not-verifiable: needs test control"}""",
            """{"$type":"test-failed","TestCaseUniqueID":"c1","TestDisplayName":"S.T.Rows(kind: \"b\")","ExceptionTypes":["System.InvalidOperationException"],"Messages":["boom"]}""",
        ];
        var progress = stream.Select(parser.Parse).Select(r => r.Progress).OfType<TestProgress>().ToList();

        progress.Select(p => p.Outcome).Should().Equal("not-verifiable", "error");
        progress[1].Errors.Should().Be(1);
        ProgressDisplay.Line(progress[0]).Should().Contain("Rows (kind: \"a\")");
        ProgressDisplay.Line(progress[1]).Should().Contain("Rows (kind: \"b\")");
    }

    [Fact]
    public async Task A_real_run_reports_progress_for_every_test_it_ran()
    {
        var events = new System.Collections.Concurrent.ConcurrentQueue<TestProgress>();
        using var root = RealRuns.NewRoot("progress");
        var request = RealRuns.Request(root) with { Only = ["DISC-R-0*"] };

        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken, new Sink(events));

        var ran = report.Requirements.SelectMany(r => r.Tests).Count(t => !t.Id.EndsWith("/filtered", StringComparison.Ordinal));
        events.Should().NotBeEmpty();
        events.Should().OnlyContain(e => e.Requirement != null && e.Requirement.StartsWith("DISC-R-0", StringComparison.Ordinal));
        events.Max(e => e.Done).Should().Be(events.Count);
        events.Should().HaveCount(ran);
        events.Should().OnlyContain(e => e.Total == ran, "the counter knows its total from the first test on: every theory row is discovered before the run");
        events.Select(e => e.Name).Should().OnlyHaveUniqueItems("each theory row shows under its own name");
    }

    private sealed class Sink(System.Collections.Concurrent.ConcurrentQueue<TestProgress> events) : IProgress<TestProgress>
    {
        public void Report(TestProgress value) => events.Enqueue(value);
    }
}
