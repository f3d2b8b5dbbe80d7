using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>report.json, as <see cref="ReportJson"/> serialises the results model.</summary>
public sealed class ReportJsonWriter() : TextReportWriter<ConformanceReport>(ReportJson.FileName)
{
    public override void Write(ConformanceReport document, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ReportJson.Serialize(document));
    }
}
