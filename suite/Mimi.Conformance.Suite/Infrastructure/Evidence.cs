using System.Collections.Concurrent;
using System.Text.Json;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// The current test's checks and exchanges. Every change re-writes the "evidence" attachment, so whatever ends
/// the test (a failed expectation, a skip, a crash) the report still gets all evidence gathered so far.
/// </summary>
internal sealed class Evidence : IExchangeSink
{
    public const string AttachmentName = "evidence";
    private static readonly ConcurrentDictionary<string, Evidence> ByTest = new();

    private readonly List<Check> _checks = [];
    private readonly List<Exchange> _exchanges = [];
    private readonly Lock _lock = new();

    public static Evidence Current
    {
        get
        {
            var id = TestContext.Current.Test?.UniqueID ?? "no-test";
            return ByTest.GetOrAdd(id, _ => new Evidence());
        }
    }

    public void Record(Exchange exchange)
    {
        lock (_lock)
            _exchanges.Add(exchange);
        Flush();
    }

    private static readonly bool ReportPending = Environment.GetEnvironmentVariable("MIMI_REPORT_PENDING") == "1";

    /// <summary>Tells the CLI which request this test is waiting for, in case the run's budget ends while it waits.</summary>
    public void Sending(string method, Uri url)
    {
        if (ReportPending && TestContext.Current.Test?.UniqueID is { } test)
            Console.Error.WriteLine($"MIMI-PENDING\t{test}\t{method} {url}");
    }

    public void Add(Check check)
    {
        // The check was made on the last request the test sent (seqs of requests fake peers received start at 1,000,001).
        lock (_lock)
            _checks.Add(check with { Exchange = _exchanges.LastOrDefault(x => x.Seq < 1_000_000)?.Seq });
        Flush();
    }

    private void Flush()
    {
        string json;
        lock (_lock)
            json = JsonSerializer.Serialize(new EvidenceDocument(_checks, _exchanges));
        TestContext.Current.AddAttachment(AttachmentName, json, replaceExistingValue: true);
    }
}

/// <summary>The attachment's shape; the CLI reads it back from the xunit XML.</summary>
public sealed record EvidenceDocument(IReadOnlyList<Check> Checks, IReadOnlyList<Exchange> Exchanges);
