using FluentAssertions;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Reporting;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class RunComparisonTests
{
    [Fact]
    public void Compares_verdicts_per_requirement_and_rule_and_renders_the_section()
    {
        var now = SampleReports.Create();
        var before = now with
        {
            Run = now.Run with { Id = "earlier" },
            Requirements = [.. now.Requirements.Select((r, i) => i == 1 ? r with { Verdict = Verdict.Pass } : i == 0 ? r with { Verdict = Verdict.Fail } : r)],
        };

        var changes = RunComparison.Compare(now, before);

        changes.SinceRun.Should().Be("earlier");
        changes.Changes.Should().Contain(c => c.Id == now.Requirements[1].Id && c.Before == "pass" && c.After == now.Requirements[1].Verdict.ToWire());
        if (Baseline.IsFailing(now.Requirements[1].Verdict))
            changes.NewFailures.Should().Contain(now.Requirements[1].Id);
        if (now.Requirements[0].Verdict is Verdict.Pass)
            changes.Fixed.Should().Contain(now.Requirements[0].Id);

        var html = ReportWriter.Html.Render(now with { ChangedSince = changes });
        html.Should().Contain("id=\"changed-since\"").And.Contain("data-change=\"changed\"");
        ReportJson.Deserialize(ReportJson.Serialize(now with { ChangedSince = changes })).ChangedSince.Should().BeEquivalentTo(changes);
    }

    [Fact]
    public void A_directory_without_report_json_is_a_configuration_error()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mimi-compare-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            FluentActions.Invoking(() => RunComparison.Load(dir)).Should().Throw<ConfigurationException>().WithMessage("--compare *no report.json*");
            File.WriteAllText(Path.Combine(dir, "report.json"), "{ not json");
            FluentActions.Invoking(() => RunComparison.Load(dir)).Should().Throw<ConfigurationException>().WithMessage("--compare *not a report*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cbor_is_indented_and_annotated_with_the_profiles_names()
    {
        // 98([h'a10378...' protected {3: ct}, {}, payload {"iat": 1767225600}, [[h'a10127' {1: -8}, {}, h'00']]])
        var w = new System.Formats.Cbor.CborWriter();
        w.WriteTag((System.Formats.Cbor.CborTag)98);
        w.WriteStartArray(4);
        w.WriteByteString(Map(x => { x.WriteInt32(3); x.WriteTextString("application/mimi-mapping+cbor"); }));
        w.WriteStartMap(0); w.WriteEndMap();
        w.WriteByteString(Map(x => { x.WriteTextString("iat"); x.WriteInt64(1767225600); }));
        w.WriteStartArray(1);
        w.WriteStartArray(3);
        w.WriteByteString(Map(x => { x.WriteInt32(1); x.WriteInt32(-8); }));
        w.WriteStartMap(0); w.WriteEndMap();
        w.WriteByteString(new byte[64]);
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndArray();

        var text = CborAnnotator.Render(w.Encode());

        text.Should().StartWith("98(  / COSE_Sign /").And.Contain("/ protected / <<{").And.Contain("3: \"application/mimi-mapping+cbor\"  / content type /")
            .And.Contain("/ payload / <<{").And.Contain("\"iat\": 1767225600  / 2026-01-01T00:00:00Z /")
            .And.Contain("1: -8  / alg: EdDSA /").And.Contain("/ signature / h'").And.Contain("/ 64 bytes /");
        text.Split('\n').Length.Should().BeGreaterThan(10, "one element a line");
        CborAnnotator.Render([0xa1, 0x01]).Should().Contain("/ not decodable here:");
    }

    private static byte[] Map(Action<System.Formats.Cbor.CborWriter> body)
    {
        var w = new System.Formats.Cbor.CborWriter();
        w.WriteStartMap(1);
        body(w);
        w.WriteEndMap();
        return w.Encode();
    }
}
