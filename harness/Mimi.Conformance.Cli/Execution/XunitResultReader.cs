using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>One test as the xunit v2+ XML records it, with the suite's evidence attachment decoded.</summary>
internal sealed record RawTest(
    string Name,
    string? Requirement,
    string Result,
    string? Reason,
    string? ExceptionType,
    string? Message,
    double Seconds,
    IReadOnlyList<Check> Checks,
    IReadOnlyList<Exchange> Exchanges);

internal sealed record RawRun(int Total, IReadOnlyList<RawTest> Tests);

/// <summary>Reads the suite's xunit XML (schema-version 3). The suite process is ours, but its XML holds DP text: parse without DTDs.</summary>
internal static class XunitResultReader
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static RawRun Read(string path)
    {
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var doc = XDocument.Load(reader);
        var assembly = doc.Root?.Element("assembly") ?? throw new InvalidDataException("no <assembly> element in the xunit XML");
        var total = (int?)assembly.Attribute("total") ?? 0;
        var tests = assembly.Descendants("test").Select(ReadTest).ToList();
        return new RawRun(total, tests);
    }

    private static RawTest ReadTest(XElement test)
    {
        // A trait name repeats when a test names several requirements or rules; the first is the one it is graded under.
        var traits = test.Element("traits")?.Elements("trait")
            .GroupBy(t => (string?)t.Attribute("name") ?? "")
            .ToDictionary(g => g.Key, g => (string?)g.First().Attribute("value") ?? "") ?? [];
        var failure = test.Element("failure");
        var evidence = test.Element("attachments")?.Elements("attachment").FirstOrDefault(a => (string?)a.Attribute("name") == "evidence")?.Value;
        EvidenceDto? dto = null;
        if (evidence is not null)
        {
            try
            {
                dto = JsonSerializer.Deserialize<EvidenceDto>(evidence, Json);
            }
            catch (JsonException)
            {
                dto = null;
            }
        }
        return new RawTest(
            (string?)test.Attribute("name") ?? "(unnamed)",
            traits.GetValueOrDefault("Requirement"),
            (string?)test.Attribute("result") ?? "NotRun",
            test.Element("reason")?.Value,
            (string?)failure?.Attribute("exception-type"),
            failure?.Element("message")?.Value,
            (double?)test.Attribute("time") ?? 0,
            dto?.Checks ?? [],
            dto?.Exchanges ?? []);
    }

    private sealed record EvidenceDto(IReadOnlyList<Check>? Checks, IReadOnlyList<Exchange>? Exchanges);
}
