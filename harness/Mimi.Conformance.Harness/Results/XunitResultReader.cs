using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Mimi.Conformance.Harness.Results;

/// <summary>One test as the xunit v2+ XML records it, with the suite's evidence attachment decoded.</summary>
/// <summary><paramref name="Ids"/>: every catalog ID the test names, in attribute order; the first is the one it is graded under.</summary>
public sealed record RawTest(
    string Name,
    IReadOnlyList<string> Ids,
    string Result,
    string? Reason,
    string? ExceptionType,
    string? Message,
    double Seconds,
    IReadOnlyList<Check> Checks,
    IReadOnlyList<Exchange> Exchanges)
{
    public string? Requirement => Ids.Count > 0 ? Ids[0] : null;

    /// <summary>The suite method (Namespace.Class.Method) that ran it; a theory's rows share one.</summary>
    public string? Method { get; init; }

    /// <summary>Every repetition of the test in order, this one among them (run --repeat N); empty when it ran once.</summary>
    public IReadOnlyList<RawTest> Repetitions { get; init; } = [];
}

public sealed record RawRun(int Total, IReadOnlyList<RawTest> Tests);

/// <summary>What the suite process produced, or why it produced nothing usable.</summary>
public sealed record SuiteOutcome(RawRun? Run, string? Failure, TimeSpan Elapsed);

/// <summary>Reads the suite's xunit XML (schema-version 3). The suite process is ours, but its XML holds DP text: parse without DTDs.</summary>
public static class XunitResultReader
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
        // A trait name repeats when a test names several requirements or rules.
        IReadOnlyList<string> ids = [.. test.Element("traits")?.Elements("trait")
            .Where(t => (string?)t.Attribute("name") == "Requirement")
            .Select(t => (string?)t.Attribute("value") ?? "")
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.Ordinal) ?? []];
        var failure = test.Element("failure");
        var evidence = test.Element("attachments")?.Elements("attachment").FirstOrDefault(a => (string?)a.Attribute("name") == "evidence")?.Value;
        var (checks, exchanges) = evidence is null ? ([], []) : Evidence(evidence);
        return new RawTest(
            (string?)test.Attribute("name") ?? "(unnamed)",
            ids,
            (string?)test.Attribute("result") ?? "NotRun",
            test.Element("reason")?.Value,
            (string?)failure?.Attribute("exception-type"),
            failure?.Element("message")?.Value,
            (double?)test.Attribute("time") ?? 0,
            checks,
            exchanges)
        {
            Method = (string?)test.Attribute("type") is { } type && (string?)test.Attribute("method") is { } method ? $"{type}.{method}" : null,
        };
    }

    /// <summary>The suite's evidence attachment (checks and exchanges); nothing when it does not parse.</summary>
    public static (IReadOnlyList<Check> Checks, IReadOnlyList<Exchange> Exchanges) Evidence(string json)
    {
        try
        {
            var dto = JsonSerializer.Deserialize<EvidenceDto>(json, Json);
            return (dto?.Checks ?? [], dto?.Exchanges ?? []);
        }
        catch (JsonException)
        {
            return ([], []);
        }
    }

    private sealed record EvidenceDto(IReadOnlyList<Check>? Checks, IReadOnlyList<Exchange>? Exchanges);
}
