namespace Mimi.Conformance.Harness.Results;

/// <summary>What a traced suite run (MIMI_TRACE_TESTS=1) tells the self-test on stderr, besides the metadata reads (<see cref="Client.DpMetadata.ReadTracePrefix"/>).</summary>
public static class SuiteTrace
{
    /// <summary>
    /// "prefix test tab earlier-test": the test uses state a class fixture set up while serving the earlier test, so
    /// whatever the earlier test consulted may shape this one's answers too.
    /// </summary>
    public const string InheritsPrefix = "MIMI-INHERITS\t";
}
