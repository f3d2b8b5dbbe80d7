using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.Cli.SelfTest;

/// <summary>The reference DP's fault registry as the harness's fault catalog (what faults.json holds).</summary>
internal static class ReferenceFaults
{
    public static FaultCatalog Catalog { get; } = FaultCatalog.Of(FaultRegistry.All.Select(f => new FaultExpectation(f.Name, f.Description, f.Breaks)
    {
        ExpectedVerdict = f.Intermittent ? Verdict.Unstable : null,
    }));
}
