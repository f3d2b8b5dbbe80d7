using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Execution;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>When the budget stops the suite before it writes its XML, the reporter stream keeps every finished test and names what the others waited for.</summary>
public sealed class PartialResultsTests
{
    private static readonly string[] Stream =
    [
        """{"$type":"discovery-complete","TestCasesToRun":3}""",
        """{"$type":"test-case-starting","TestCaseUniqueID":"c1","TestCaseDisplayName":"Suite.A.First","Traits":{"Requirement":["DISC-R-01","PROF-PUB-03"]}}""",
        """{"$type":"test-starting","TestCaseUniqueID":"c1","TestUniqueID":"t1","TestDisplayName":"Suite.A.First"}""",
        """{"$type":"test-failed","TestCaseUniqueID":"c1","TestUniqueID":"t1","TestDisplayName":"Suite.A.First","ExecutionTime":0.25,"ExceptionTypes":["Mimi.Conformance.Harness.Results.ConformanceFailure"],"Messages":["status: expected 201, got 500"]}""",
        """{"$type":"test-finished","TestUniqueID":"t1","Attachments":{"evidence":"s:{\"Checks\":[{\"name\":\"status\",\"passed\":false,\"expected\":\"201\",\"actual\":\"500\"}],\"Exchanges\":[]}"}}""",
        """{"$type":"test-case-starting","TestCaseUniqueID":"c2","TestCaseDisplayName":"Suite.B.Second","Traits":{"Requirement":["DISC-R-03"]}}""",
        """{"$type":"test-starting","TestCaseUniqueID":"c2","TestUniqueID":"t2","TestDisplayName":"Suite.B.Second"}""",
    ];

    [Fact]
    public void Finished_tests_keep_their_verdict_and_evidence_and_the_pending_one_names_its_request()
    {
        var parser = new SuiteProgressParser();
        foreach (var line in Stream)
            parser.Parse(line);

        var run = parser.Partial(id => id == "t2" ? "POST https://127.0.0.1:1/v1/lookup" : null, "the budget ran out");

        run.Total.Should().Be(3);
        var first = run.Tests.Single(t => t.Name == "Suite.A.First");
        first.Result.Should().Be("Fail");
        first.Ids.Should().Equal("DISC-R-01", "PROF-PUB-03");
        first.ExceptionType.Should().EndWith(".ConformanceFailure");
        first.Checks.Should().ContainSingle().Which.Actual.Should().Be("500");
        var pending = run.Tests.Single(t => t.Name == "Suite.B.Second");
        pending.Result.Should().Be("NotRun");
        pending.Reason.Should().Contain("the budget ran out").And.Contain("waiting for POST https://127.0.0.1:1/v1/lookup");
        ReportBuilder.Classify(pending, "MUST").Should().Be((Mimi.Conformance.Harness.Results.Verdict.Error, pending.Reason));
        ReportBuilder.Classify(first, "MUST").Item1.Should().Be(Mimi.Conformance.Harness.Results.Verdict.Fail);
    }
}
