namespace Mimi.Conformance.Harness.Results;

/// <summary>The DP under test broke an expectation: a finding, fail for a MUST and warn for a SHOULD (docs/ARCHITECTURE.md §5).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "A finding, not an exception: the name tests and reports speak")]
public sealed class ConformanceFailure(string message) : Exception(message), IAssertionException;

/// <summary>The harness could not reach a verdict (DP unreachable, malformed beyond the test's subject): an error.</summary>
public sealed class HarnessErrorException(string message) : Exception(message);

/// <summary>xunit v3 reports an exception implementing an interface of this name, in any namespace, as an assertion failure.</summary>
internal interface IAssertionException;

/// <summary>Why a test was skipped: the verdict a skip stands for.</summary>
public enum SkipKind
{
    NotVerifiable,
    NotApplicable,
}

/// <summary>
/// How the suite and the reader agree on an outcome: a test fails with <see cref="ConformanceFailure"/> (finding) or
/// <see cref="HarnessErrorException"/> (error), and skips with a reason that <see cref="Skip"/> marks and
/// <see cref="ReadSkip"/> reads back. Any other failure is a harness defect.
/// </summary>
public static class SuiteOutcomes
{
    private const string NotVerifiablePrefix = "not-verifiable: ";
    private const string NotApplicablePrefix = "not-applicable: ";

    private static readonly string FindingType = typeof(ConformanceFailure).FullName!;
    private static readonly string ErrorType = typeof(HarnessErrorException).FullName!;

    /// <summary>The skip reason xunit carries for <paramref name="kind"/>.</summary>
    public static string Skip(SkipKind kind, string reason) =>
        (kind == SkipKind.NotApplicable ? NotApplicablePrefix : NotVerifiablePrefix) + reason;

    /// <summary>A skip reason back to its kind and text; an unmarked skip is not verifiable, with its text as is.</summary>
    public static (SkipKind Kind, string Reason) ReadSkip(string? reason)
    {
        var text = reason ?? "skipped";
        if (text.StartsWith(NotApplicablePrefix, StringComparison.Ordinal))
            return (SkipKind.NotApplicable, text[NotApplicablePrefix.Length..]);
        if (text.StartsWith(NotVerifiablePrefix, StringComparison.Ordinal))
            return (SkipKind.NotVerifiable, text[NotVerifiablePrefix.Length..]);
        return (SkipKind.NotVerifiable, text);
    }

    /// <summary>Is the failure's exception type (as xunit records its full name) a finding against the DP?</summary>
    public static bool IsFinding(string? exceptionType) => exceptionType == FindingType;

    /// <summary>Is the failure's exception type the harness's own error verdict?</summary>
    public static bool IsHarnessError(string? exceptionType) => exceptionType == ErrorType;
}
