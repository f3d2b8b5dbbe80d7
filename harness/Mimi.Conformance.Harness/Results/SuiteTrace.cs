namespace Mimi.Conformance.Harness.Results;

/// <summary>What a traced suite run (MIMI_TRACE_TESTS=1) tells the self-test on stderr, besides the metadata reads (<see cref="Client.DpMetadata.ReadTracePrefix"/>).</summary>
public static class SuiteTrace
{
    /// <summary>
    /// "prefix test tab earlier-test": the test uses state a class fixture set up while serving the earlier test (or
    /// a fixture's set-up label, <see cref="SetUpPrefix"/>), so whatever it consulted may shape this one's answers too.
    /// </summary>
    public const string InheritsPrefix = "MIMI-INHERITS\t";

    /// <summary>The trace label of a class fixture's set-up: "prefix fixture". It is inherited by tests, never a test to run.</summary>
    public const string SetUpPrefix = "(set-up) ";
}
