using System.Globalization;
using System.Text;
using System.Xml;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// junit.xml in the Ant/Jenkins JUnit shape (windyroad JUnit.xsd): one &lt;testsuite&gt; per requirement class,
/// one &lt;testcase&gt; per test with classname = requirement id and name = test name.
/// </summary>
/// <remarks>
/// Mapping: fail → &lt;failure type="fail"&gt;; warn → &lt;failure type="warn"&gt; when the requirement is gating,
/// otherwise a pass plus a line in the suite's &lt;system-out&gt; (the XSD gives testcases no system-out);
/// error → &lt;error type="error"&gt;; not-applicable / not-verifiable → &lt;skipped&gt; with the reason;
/// a requirement without tests → one testcase named "(untested)" (or after its verdict) that is skipped.
/// DP-provided text is stripped of characters XML 1.0 forbids.
/// </remarks>
/// <param name="hostname">The testsuite hostname; the machine's when null.</param>
public sealed class JUnitWriter(string? hostname = null) : IReportWriter<ConformanceReport>
{
    public const string FileName = "junit.xml";

    public const string UntestedMessage = "untested: no test covers this requirement";

    private const int MessageLimit = 1000;

    string IReportWriter<ConformanceReport>.FileName => FileName;

    public void Write(ConformanceReport document, Stream stream)
    {
        var report = document;
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        var settings = new XmlWriterSettings
        {
            Encoding = ReportFiles.Utf8,
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Entitize,
            CheckCharacters = true,
            CloseOutput = false,
        };
        using var xml = XmlWriter.Create(stream, settings);
        Write(report, xml, hostname ?? DefaultHostname());
    }

    private static void Write(ConformanceReport report, XmlWriter xml, string hostname)
    {
        var timestamp = report.Run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        var suiteId = 0;
        foreach (var className in ReportFacts.ClassNames(report))
        {
            var requirements = report.Requirements.Where(r => r.Class == className).ToList();
            if (requirements.Count == 0)
            {
                continue;
            }

            var cases = requirements.SelectMany(CasesOf).ToList();
            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", Token(className, "unclassified"));
            xml.WriteAttributeString("tests", Int(cases.Count));
            xml.WriteAttributeString("failures", Int(cases.Count(c => c.Kind == Outcome.Failure)));
            xml.WriteAttributeString("errors", Int(cases.Count(c => c.Kind == Outcome.Error)));
            xml.WriteAttributeString("skipped", Int(cases.Count(c => c.Kind == Outcome.Skipped)));
            xml.WriteAttributeString("time", ReportFacts.Seconds(cases.Sum(c => c.DurationMs)));
            xml.WriteAttributeString("timestamp", timestamp);
            xml.WriteAttributeString("hostname", Token(hostname, "localhost"));
            xml.WriteAttributeString("id", Int(suiteId++));
            xml.WriteAttributeString("package", Token("mimi-dp." + className, "mimi-dp"));

            xml.WriteStartElement("properties");
            Property(xml, "target", report.Run.Target);
            Property(xml, "target_kind", report.Run.TargetKind);
            Property(xml, "run_id", report.Run.Id);
            Property(xml, "suite_version", report.Run.SuiteVersion);
            Property(xml, "profile_version", report.Run.ProfileVersion);
            Property(xml, "fail_on", report.Run.FailOn);
            Property(xml, "summary_verdict", report.Summary.Verdict.ToWire());
            Property(xml, "complete", report.Run.Completeness.Complete ? "true" : "false");
            var declared = report.Classes.FirstOrDefault(c => c.Class == className);
            if (declared is not null)
            {
                Property(xml, "class_claimed", declared.Claimed ? "true" : "false");
                Property(xml, "class_verdict", declared.Verdict.ToWire());
            }

            xml.WriteEndElement();

            var notes = new StringBuilder();
            foreach (var @case in cases)
            {
                WriteCase(xml, @case);
                if (@case.Note is not null)
                {
                    notes.Append(@case.Note).Append('\n');
                }
            }

            xml.WriteElementString("system-out", XmlChars.Strip(notes.ToString()));
            xml.WriteElementString("system-err", string.Empty);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private enum Outcome
    {
        Passed,
        Failure,
        Error,
        Skipped,
    }

    private sealed record Case(
        string ClassName,
        string Name,
        long DurationMs,
        Outcome Kind,
        string? Type,
        string? Message,
        string? Body,
        string? Note);

    private static IEnumerable<Case> CasesOf(RequirementResult requirement)
    {
        if (requirement.Tests.Count == 0)
        {
            var name = requirement.Verdict == Verdict.Untested ? "(untested)" : "(" + requirement.Verdict.ToWire() + ")";
            yield return requirement.Verdict == Verdict.Untested
                ? new Case(requirement.Id, name, 0, Outcome.Skipped, null, UntestedMessage, null, null)
                : Classify(requirement, name, 0, requirement.Verdict, null, null);
            yield break;
        }

        foreach (var test in requirement.Tests)
        {
            yield return Classify(requirement, test.Name, test.DurationMs, test.Verdict, test.Reason, test);
        }
    }

    private static Case Classify(RequirementResult requirement, string name, long durationMs, Verdict verdict, string? reason, TestResult? test)
    {
        var wire = verdict.ToWire();
        var message = string.IsNullOrWhiteSpace(reason) ? wire : wire + ": " + reason;
        return verdict switch
        {
            Verdict.Pass => new Case(requirement.Id, name, durationMs, Outcome.Passed, null, null, null, null),
            Verdict.Declared => new Case(requirement.Id, name, durationMs, Outcome.Passed, null, null, null,
                "DECLARED " + requirement.Id + " " + ReportText.OneLine(name) + ": " + ReportText.OneLine(reason ?? "declared by the operator statement", MessageLimit)),
            Verdict.Fail => new Case(requirement.Id, name, durationMs, Outcome.Failure, "fail", message, Details(requirement, reason, test), null),
            Verdict.Warn when requirement.Gating =>
                new Case(requirement.Id, name, durationMs, Outcome.Failure, "warn", message, Details(requirement, reason, test), null),
            Verdict.Warn => new Case(
                requirement.Id, name, durationMs, Outcome.Passed, null, null, null,
                "WARN " + requirement.Id + " " + ReportText.OneLine(name) + ": " + ReportText.OneLine(reason ?? "SHOULD requirement not met", MessageLimit)),
            Verdict.Error => new Case(requirement.Id, name, durationMs, Outcome.Error, "error", message, Details(requirement, reason, test), null),
            Verdict.Unstable when requirement.Gating =>
                new Case(requirement.Id, name, durationMs, Outcome.Failure, "unstable", message, Details(requirement, reason, test), null),
            Verdict.Unstable => new Case(
                requirement.Id, name, durationMs, Outcome.Passed, null, null, null,
                "UNSTABLE " + requirement.Id + " " + ReportText.OneLine(name) + ": " + ReportText.OneLine(reason ?? "repetitions disagree", MessageLimit)),
            Verdict.Untested => new Case(requirement.Id, name, durationMs, Outcome.Skipped, null, UntestedMessage, null, null),
            _ => new Case(requirement.Id, name, durationMs, Outcome.Skipped, null, message, reason, null),
        };
    }

    /// <summary>Body of a failure or error: the reason, the checks that did not hold, and the reproducer.</summary>
    private static string Details(RequirementResult requirement, string? reason, TestResult? test)
    {
        var sb = new StringBuilder();
        sb.Append(requirement.Level).Append(' ').Append(requirement.Id).Append(": ").Append(requirement.Title).Append('\n');
        if (!string.IsNullOrWhiteSpace(reason))
        {
            sb.Append(reason).Append('\n');
        }

        if (test is not null)
        {
            foreach (var check in test.Checks.Where(c => !c.Passed))
            {
                sb.Append("\ncheck: ").Append(check.Name)
                    .Append("\n  expected: ").Append(check.Expected)
                    .Append("\n  actual:   ").Append(check.Actual).Append('\n');
            }

            if (!string.IsNullOrWhiteSpace(test.Reproducer))
            {
                sb.Append("\nreproducer:\n").Append(test.Reproducer).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static void WriteCase(XmlWriter xml, Case @case)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("name", Token(@case.Name, "(unnamed)"));
        xml.WriteAttributeString("classname", Token(@case.ClassName, "(unknown)"));
        xml.WriteAttributeString("time", ReportFacts.Seconds(@case.DurationMs));
        switch (@case.Kind)
        {
            case Outcome.Failure:
            case Outcome.Error:
                xml.WriteStartElement(@case.Kind == Outcome.Failure ? "failure" : "error");
                xml.WriteAttributeString("message", Message(@case.Message));
                xml.WriteAttributeString("type", @case.Type ?? "fail");
                xml.WriteString(XmlChars.Strip(@case.Body));
                xml.WriteEndElement();
                break;
            case Outcome.Skipped:
                xml.WriteStartElement("skipped");
                xml.WriteAttributeString("message", Message(@case.Message));
                if (!string.IsNullOrEmpty(@case.Body))
                {
                    xml.WriteString(XmlChars.Strip(@case.Body));
                }

                xml.WriteEndElement();
                break;
            case Outcome.Passed:
            default:
                break;
        }

        xml.WriteEndElement();
    }

    private static void Property(XmlWriter xml, string name, string? value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", XmlChars.Strip(value));
        xml.WriteEndElement();
    }

    /// <summary>A message attribute: one line, bounded, legal XML.</summary>
    private static string Message(string? text) => XmlChars.Strip(ReportText.OneLine(text, MessageLimit));

    /// <summary>A non-empty xs:token value (the XSD collapses whitespace; name attributes need minLength 1).</summary>
    private static string Token(string? text, string fallback)
    {
        var value = XmlChars.Strip(ReportText.OneLine(text, 500));
        return string.IsNullOrWhiteSpace(value) ? fallback : value;
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DefaultHostname()
    {
        try
        {
            var name = Environment.MachineName;
            return string.IsNullOrWhiteSpace(name) ? "localhost" : name;
        }
        catch (InvalidOperationException)
        {
            return "localhost";
        }
    }
}
