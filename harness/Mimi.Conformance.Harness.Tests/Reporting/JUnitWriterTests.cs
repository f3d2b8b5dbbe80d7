using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Results;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class JUnitWriterTests
{
    private static XDocument Parse(string xml)
    {
        var settings = new XmlReaderSettings { CheckCharacters = true, DtdProcessing = DtdProcessing.Prohibit };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        return XDocument.Load(reader);
    }

    [Fact]
    public void Is_well_formed_xml_without_illegal_characters()
    {
        var xml = new JUnitWriter("ci-runner").Render(SampleReports.Create());

        xml.Should().StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        XmlChars.IsLegal(xml).Should().BeTrue();
        xml.Should().NotContain("\u0001");
        var act = () => Parse(xml);
        act.Should().NotThrow();
        xml.Should().NotContain("<script>", "markup from the DP is escaped").And.Contain("&lt;script&gt;");
    }

    [Fact]
    public void One_suite_per_class_in_the_ant_schema_shape()
    {
        var report = SampleReports.Create();
        var doc = Parse(new JUnitWriter("ci-runner").Render(report));

        var root = doc.Root!;
        root.Name.LocalName.Should().Be("testsuites");
        root.Attributes().Should().BeEmpty("the Ant XSD declares no attributes on <testsuites>");
        var suites = root.Elements("testsuite").ToList();
        suites.Select(s => (string)s.Attribute("name")!).Should()
            .Equal("core", "tag-privacy", "federation", "anti-enumeration", "lifecycle");
        suites.Select(s => (int)s.Attribute("id")!).Should().Equal(0, 1, 2, 3, 4);

        foreach (var suite in suites)
        {
            suite.Elements().Select(e => e.Name.LocalName).Distinct().Should()
                .Equal(new[] { "properties", "testcase", "system-out", "system-err" }, "the XSD fixes the child order");
            foreach (var attribute in new[] { "name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id", "package" })
            {
                suite.Attribute(attribute).Should().NotBeNull(attribute + " is present");
            }

            ((string)suite.Attribute("timestamp")!).Should().Be("2026-01-02T03:04:05").And.MatchRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$");
            ((string)suite.Attribute("hostname")!).Should().Be("ci-runner");
            var cases = suite.Elements("testcase").ToList();
            ((int)suite.Attribute("tests")!).Should().Be(cases.Count);
            ((int)suite.Attribute("failures")!).Should().Be(cases.Count(c => c.Element("failure") is not null));
            ((int)suite.Attribute("errors")!).Should().Be(cases.Count(c => c.Element("error") is not null));
            ((int)suite.Attribute("skipped")!).Should().Be(cases.Count(c => c.Element("skipped") is not null));
            cases.Should().OnlyContain(c => c.Elements().Count() <= 1, "a testcase holds at most one of skipped, error, failure");
            cases.Should().OnlyContain(c => Regex.IsMatch((string)c.Attribute("time")!, "^[0-9]+\\.[0-9]{3}$"));
            suite.Element("properties")!.Elements("property")
                .Should().Contain(p => (string)p.Attribute("name")! == "target" && (string)p.Attribute("value")! == "https://dp.example.test:8443");
        }

        var all = suites.SelectMany(s => s.Elements("testcase")).ToList();
        all.Should().HaveCount(report.Requirements.Sum(r => Math.Max(1, r.Tests.Count)));
        all.Count(c => c.Element("failure") is not null).Should().Be(1, "one fail; the warn is not gating");
        all.Count(c => c.Element("error") is not null).Should().Be(1);
        all.Count(c => c.Element("skipped") is not null).Should().Be(4, "not-applicable, not-verifiable and two untested");
    }

    [Fact]
    public void Maps_each_verdict()
    {
        var doc = Parse(new JUnitWriter("ci-runner").Render(SampleReports.Create()));
        var cases = doc.Descendants("testcase").ToDictionary(c => (string)c.Attribute("classname")!);

        var failure = cases["CORE-R3"].Element("failure")!;
        ((string)failure.Attribute("type")!).Should().Be("fail");
        ((string)failure.Attribute("message")!).Should().StartWith("fail: COSE_Sign signature does not verify").And.NotContain("\n");
        failure.Value.Should().Contain("expected: valid EdDSA signature").And.Contain("reproducer:").And.Contain("curl --cacert ca.pem");
        ((string)cases["CORE-R3"].Attribute("name")!).Should().Be("Mapping signature verifies");

        ((string)cases["CORE-R5"].Element("error")!.Attribute("type")!).Should().Be("error");
        cases["CORE-R7"].Elements().Should().BeEmpty("a non-gating warn passes");
        doc.Descendants("testsuite").Single(s => (string)s.Attribute("name")! == "core").Element("system-out")!.Value
            .Should().Contain("WARN CORE-R7").And.Contain("content-type was text/html");
        ((string)cases["FED-1"].Element("skipped")!.Attribute("message")!).Should().Be("not-applicable: DP does not claim the federation class");
        ((string)cases["ANTI-ENUM-1"].Element("skipped")!.Attribute("message")!).Should().StartWith("not-verifiable: needs test control");
        ((string)cases["LIFE-REISSUE-1"].Element("skipped")!.Attribute("message")!).Should().Be("untested: no test covers this requirement");
        cases["CORE-R1"].Elements().Should().BeEmpty();
    }

    [Fact]
    public void Gating_warn_is_a_failure_of_type_warn()
    {
        var report = SampleReports.Create();
        report = report with
        {
            Requirements = [.. report.Requirements.Select(r => r.Id == "CORE-R7" ? r with { Gating = true } : r)],
        };

        var doc = Parse(new JUnitWriter("ci-runner").Render(report));

        var warn = doc.Descendants("testcase").Single(c => (string)c.Attribute("classname")! == "CORE-R7");
        ((string)warn.Element("failure")!.Attribute("type")!).Should().Be("warn");
    }

    [Fact]
    public void Illegal_xml_characters_are_stripped_from_dp_text()
    {
        XmlChars.Strip("a\u0001b\u0000c\uFFFEd\ud800e\t\n\r]]>").Should().Be("abcde\t\n\r]]>");
        XmlChars.Strip("ok \U0001F600").Should().Be("ok \U0001F600");

        var report = SampleReports.Create();
        var hostile = report.Requirements[1].Tests[0] with { Reason = "bad\u0000\u0008\u001f\ud800 reason ]]>" };
        report = report with
        {
            Requirements = [.. report.Requirements.Select((r, i) => i == 1 ? r with { Tests = [hostile] } : r)],
        };

        var xml = new JUnitWriter("ci-runner").Render(report);

        XmlChars.IsLegal(xml).Should().BeTrue();
        Parse(xml).Descendants("failure").Single().Value.Should().Contain("bad reason ]]>");
    }

    [Fact]
    public void File_output_is_utf8_and_parses()
    {
        var path = Path.Combine(Path.GetTempPath(), "mimi-junit-" + Guid.NewGuid().ToString("N") + ".xml");
        try
        {
            ReportWriter.JUnit.WriteFile(SampleReports.Create(), path);
            var bytes = File.ReadAllBytes(path);
            bytes.Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF });
            Parse(Encoding.UTF8.GetString(bytes)).Root!.Elements("testsuite").Should().HaveCount(5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Verdicts_cover_every_enum_value()
    {
        // A new verdict must get a JUnit mapping; this fails loudly rather than dropping it silently.
        var report = SampleReports.Create();
        report.Requirements.Select(r => r.Verdict).Distinct().Should().BeEquivalentTo(Enum.GetValues<Verdict>());
    }
}
